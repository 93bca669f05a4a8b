package objects

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"path"
	"strings"

	"github.com/btfhub/btfhub/internal/readguard"
)

// sourceName returns the stem of the source file an object was compiled
// from ("biolatency" for biolatency.bpf.c), or "" when its contents do not
// say. It looks at STT_FILE symbols, which clang writes for objects it
// compiles, and then at the file names of the object's .BTF.ext line info,
// which survive linking with bpftool gen object.
func sourceName(data []byte) string {
	// debug/elf has had panics on malformed input (see package
	// readguard); a name is not worth failing for.
	var f *elf.File
	if readguard.Run(func() error {
		var err error
		f, err = elf.NewFile(bytes.NewReader(data))
		return err
	}) != nil {
		return ""
	}
	var syms []elf.Symbol
	if readguard.Run(func() error {
		var err error
		syms, err = f.Symbols()
		return err
	}) == nil {
		for _, s := range syms {
			if elf.ST_TYPE(s.Info) == elf.STT_FILE && s.Name != "" {
				return stem(s.Name)
			}
		}
	}
	return stem(lineInfoFile(f))
}

// stem strips the directory and the .c, .bpf.c or .bpf.o suffix from a
// source or object file name.
func stem(name string) string {
	name = path.Base(name)
	if name == "." || name == "/" {
		return ""
	}
	for _, suffix := range []string{".c", ".o", ".bpf"} {
		name = strings.TrimSuffix(name, suffix)
	}
	return name
}

// lineInfoFile returns the .c file that most line info records of the
// object point to, or "". It reads just enough of .BTF and .BTF.ext for
// that, so that this package does not depend on package btf (whose tests
// use objects through internal/testutil); malformed input gives "".
func lineInfoFile(f *elf.File) string {
	btfSec, extSec := f.Section(".BTF"), f.Section(".BTF.ext")
	if btfSec == nil || extSec == nil {
		return ""
	}
	var raw, ext []byte
	if readguard.Run(func() error {
		var err error
		if raw, err = btfSec.Data(); err != nil {
			return err
		}
		ext, err = extSec.Data()
		return err
	}) != nil {
		return ""
	}
	strs, bo := btfStrings(raw)
	if strs == nil || len(ext) < 24 || bo.Uint16(ext) != 0xeb9f {
		return ""
	}
	hdrLen := uint64(bo.Uint32(ext[4:]))
	off, n := uint64(bo.Uint32(ext[16:])), uint64(bo.Uint32(ext[20:]))
	start := hdrLen + off
	if hdrLen < 24 || n < 4 || start > uint64(len(ext)) || n > uint64(len(ext))-start {
		return ""
	}
	block := ext[start : start+n]
	recSize := uint64(bo.Uint32(block))
	if recSize < 16 {
		return ""
	}
	counts := map[uint32]int{}
	var best uint32
	for p := uint64(4); p+8 <= uint64(len(block)); {
		num := uint64(bo.Uint32(block[p+4:]))
		p += 8
		if num > (uint64(len(block))-p)/recSize {
			return ""
		}
		for range num {
			name := bo.Uint32(block[p+4:])
			p += recSize
			if !strings.HasSuffix(cstring(strs, name), ".c") {
				continue
			}
			counts[name]++
			if counts[name] > counts[best] {
				best = name
			}
		}
	}
	if counts[best] == 0 {
		return ""
	}
	return cstring(strs, best)
}

// btfStrings returns the string section of raw BTF and its byte order, or
// nil.
func btfStrings(raw []byte) ([]byte, binary.ByteOrder) {
	if len(raw) < 24 {
		return nil, nil
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if bo.Uint16(raw) != 0xeb9f {
		bo = binary.BigEndian
		if bo.Uint16(raw) != 0xeb9f {
			return nil, nil
		}
	}
	start := uint64(bo.Uint32(raw[4:])) + uint64(bo.Uint32(raw[16:]))
	n := uint64(bo.Uint32(raw[20:]))
	if start > uint64(len(raw)) || n > uint64(len(raw))-start {
		return nil, nil
	}
	return raw[start : start+n], bo
}

// cstring returns the NUL-terminated string at off in strs, or "".
func cstring(strs []byte, off uint32) string {
	if uint64(off) >= uint64(len(strs)) {
		return ""
	}
	s := strs[off:]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return string(s)
}
