package fromdwarf

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/btfhub/btfhub/btf"
)

// EncodeFile encodes the DWARF of the ELF file at path (a vmlinux or a
// kernel module) as BTF; see Encode. Errors name the file.
func EncodeFile(path string, opts *Options) (*btf.Spec, *Stats, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	s, st, err := Encode(f, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, st, nil
}

// Encode encodes the DWARF of an ELF file as BTF, the way pahole -J does:
// every type of every compilation unit, a FUNC for each function that the
// symbol table names, and VARs in a DATASEC for the per-cpu variables; then
// the types are deduplicated (unless opts.NoDedup). CUs are encoded in
// parallel, and merged in their .debug_info order, so the result does not
// depend on opts.Jobs.
//
// When r is an *os.File, the file is mapped into memory rather than read,
// and only while the DWARF is encoded: the file must not be truncated
// meanwhile.
//
// When the DWARF refers to a supplementary file (dwz -m:
// .gnu_debugaltlink or .debug_sup), that file is read too: opts.AltData or
// opts.AltFile when set, otherwise the file the link names, looked up
// relative to the directory of r when r is an *os.File, then under
// /usr/lib/debug (see Options.AltFile). Its build-id must be the one the
// link records. Not finding it is an error wrapping ErrNoAltFile; a file
// with another build-id, ErrAltMismatch.
//
// A corrupt or truncated ELF file or DWARF section is an error. DWARF that
// is valid but cannot be mapped to BTF is replaced (a reference to a type
// of another unit becomes void, say) and reported to opts.Warn.
func Encode(r io.ReaderAt, opts *Options) (*btf.Spec, *Stats, error) {
	if f, ok := r.(*os.File); ok {
		if image, unmap := mapFile(f); image != nil {
			return encode(bytes.NewReader(image), f.Name(), image, unmap, opts)
		}
		return encode(r, f.Name(), nil, nil, opts)
	}
	return encode(r, "", nil, nil, opts)
}

// EncodeBytes encodes the DWARF of an ELF file held in memory, such as a
// vmlinux read out of a package; see Encode. The sections are used in
// place, not copied. A supplementary file named by a relative path is
// only found through opts.AltFile or opts.AltData, the directory of the
// ELF file being unknown.
func EncodeBytes(image []byte, opts *Options) (*btf.Spec, *Stats, error) {
	return encode(bytes.NewReader(image), "", image, nil, opts)
}

// encode encodes the ELF file r, whose bytes are image when not nil, and
// whose path is path when known. release, when not nil, is called once the
// DWARF is no longer used.
func encode(r io.ReaderAt, path string, image []byte, release func(), opts *Options) (spec *btf.Spec, st *Stats, err error) {
	released := false
	var alt *altFile
	done := func() {
		if release != nil && !released {
			released = true
			release()
		}
		alt.close()
	}
	defer done()
	if opts == nil {
		opts = &Options{}
	}
	st = &Stats{}
	t0 := time.Now()
	f, err := newELF(r)
	if err != nil {
		return nil, nil, err
	}
	bo := binary.ByteOrder(binary.LittleEndian)
	if f.ByteOrder == binary.BigEndian {
		bo = binary.BigEndian
	}
	if f.Section(".debug_info") == nil && f.Section(".zdebug_info") == nil {
		return nil, nil, ErrNoDWARF
	}
	for _, s := range f.Sections {
		if strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
			st.DWARFSections = append(st.DWARFSections, SectionSize{s.Name, s.Size})
			st.DWARFBytes += s.Size
		}
	}
	link, err := altLinkOf(f)
	if err != nil {
		return nil, nil, err
	}
	if link != nil {
		if alt, err = openAlt(link, path, opts); err != nil {
			return nil, nil, err
		}
		for _, s := range alt.f.Sections {
			if strings.HasPrefix(s.Name, ".debug_") {
				st.DWARFSections = append(st.DWARFSections, SectionSize{s.Name + " (supplementary)", s.Size})
				st.DWARFBytes += s.Size
			}
		}
	}
	syms, err := readSymbols(f, !opts.Features.NoVars)
	if err != nil {
		return nil, nil, fmt.Errorf("symbols: %w", err)
	}
	d, err := loadDWARF(f, image)
	if err != nil {
		return nil, nil, fmt.Errorf("DWARF: %w", err)
	}
	if alt != nil {
		d.alt = alt.d
	}
	st.Phases = append(st.Phases, Phase{"read ELF", time.Since(t0)})

	t0 = time.Now()
	st.CUs = len(d.units)
	words, strs, stream, err := encodeUnits(d, f, syms, opts, st, release != nil && f.Type != elf.ET_REL)
	if err != nil {
		return nil, nil, err
	}
	d, f, syms = nil, nil, nil
	done()
	raw, err := btf.NewSpecFromRaw(words, strs, opts.Base, bo, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("encoded BTF is invalid: %w", err)
	}
	st.TypesBefore = raw.NumTypes()
	st.BytesBefore = raw.MarshalSize()
	st.Phases = append(st.Phases, Phase{"encode", time.Since(t0)})
	if opts.Context != nil && opts.Context.Err() != nil {
		return nil, nil, opts.Context.Err()
	}
	if opts.NoDedup {
		st.TypesAfter, st.BytesAfter = st.TypesBefore, st.BytesBefore
		return raw, st, nil
	}
	t0 = time.Now()
	out, err := dedupSpec(raw, stream)
	if err != nil {
		return nil, nil, fmt.Errorf("dedup: %w", err)
	}
	st.Phases = append(st.Phases, Phase{"dedup", time.Since(t0)})
	st.TypesAfter = out.NumTypes()
	st.BytesAfter = out.MarshalSize()
	return out, st, nil
}
