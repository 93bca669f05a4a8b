package fromdwarf

import (
	"debug/elf"
	"slices"
	"strings"
)

// percpuSection is the ELF section that holds per-cpu variables.
const percpuSection = ".data..percpu"

// symbols is what the encoder needs from the ELF symbol table: the names
// of the functions, and the per-cpu variables. It is read-only once built
// and shared by every CU's encoder.
type symbols struct {
	funcs map[string]int // function name -> index into the merge's "generated" flags

	percpu struct {
		present bool
		addr    uint64 // section address (0 in ET_REL modules)
		size    uint64
		vars    []percpuVar // sorted by offset
	}
}

type percpuVar struct {
	off  uint64 // offset within the section
	size uint32
	name string
}

// readSymbols collects the symbols as pahole 1.24 does
// (btf_encoder.c: btf_encoder__collect_symbols, btf_encoder__collect_function,
// btf_encoder__collect_percpu_var): every named STT_FUNC, and the sized
// STT_OBJECT symbols of .data..percpu with valid BTF names.
func readSymbols(f *elf.File, withVars bool) (*symbols, error) {
	s := &symbols{funcs: map[string]int{}}
	syms, err := elfSymbols(f)
	if err != nil && err != elf.ErrNoSymbols {
		return nil, err
	}
	shndx := -1
	for i, sec := range f.Sections {
		if sec.Name == percpuSection {
			shndx = i
			s.percpu.present = true
			s.percpu.addr = sec.Addr
			s.percpu.size = sec.Size
			break
		}
	}
	isRel := f.Type == elf.ET_REL
	for _, sym := range syms {
		typ := elf.ST_TYPE(sym.Info)
		if typ == elf.STT_FUNC && sym.Name != "" {
			if _, ok := s.funcs[sym.Name]; !ok {
				s.funcs[sym.Name] = len(s.funcs)
			}
			continue
		}
		if !withVars || shndx < 0 || int(sym.Section) != shndx || typ != elf.STT_OBJECT || sym.Size == 0 {
			continue
		}
		if !validBTFName(sym.Name) {
			continue
		}
		off := sym.Value
		if !isRel {
			off -= s.percpu.addr
		}
		s.percpu.vars = append(s.percpu.vars, percpuVar{off: off, size: uint32(sym.Size), name: sym.Name})
	}
	slices.SortStableFunc(s.percpu.vars, func(a, b percpuVar) int {
		switch {
		case a.off < b.off:
			return -1
		case a.off > b.off:
			return 1
		}
		return 0
	})
	return s, nil
}

// percpuAt returns the per-cpu symbol at offset off of the section.
func (s *symbols) percpuAt(off uint64) (percpuVar, bool) {
	i, ok := slices.BinarySearchFunc(s.percpu.vars, off, func(v percpuVar, off uint64) int {
		switch {
		case v.off < off:
			return -1
		case v.off > off:
			return 1
		}
		return 0
	})
	if !ok {
		return percpuVar{}, false
	}
	return s.percpu.vars[i], true
}

// validBTFName follows pahole's btf_name_valid (btf_encoder.c): a C
// identifier in which dots are allowed too, of at most KSYM_NAME_LEN (128)
// bytes.
func validBTFName(p string) bool {
	if p == "" || len(p) > 128 {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		ok := c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i > 0 {
			ok = ok || c >= '0' && c <= '9'
		}
		if !ok {
			return false
		}
	}
	return !strings.Contains(p, "\x00")
}
