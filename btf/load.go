package btf

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
)

// LoadSpec reads BTF from a file: raw BTF (such as /sys/kernel/btf/vmlinux)
// or an ELF file with a .BTF section (vmlinux, a kernel module, a BPF
// object), of either class and byte order. base is the base spec for split
// BTF, or nil. Errors name the file.
func LoadSpec(path string, base *Spec) (*Spec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := LoadSpecFromReader(f, base)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// LoadSpecFromReader reads raw BTF or an ELF file's .BTF section from r, as
// LoadSpec does. An ELF file without .BTF gives an error wrapping
// ErrNoBTFSection; errors in the BTF of an ELF file name the section and
// its file offset.
func LoadSpecFromReader(r io.ReaderAt, base *Spec) (*Spec, error) {
	var magic [4]byte
	n, err := r.ReadAt(magic[:], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if n == 4 && bytes.Equal(magic[:], []byte(elf.ELFMAG)) {
		return loadELFSpec(r, base)
	}
	var data []byte
	if size := readerSize(r); size > 0 && size <= maxSectionSize {
		// The size is known: read exactly that, into a buffer the spec
		// can keep.
		data = make([]byte, size)
		if n, err := r.ReadAt(data, 0); n < len(data) {
			if err == nil || errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("btf: reading %d bytes: %w", size, err)
		}
	} else if data, err = io.ReadAll(io.NewSectionReader(r, 0, 1<<63-1)); err != nil {
		return nil, err
	}
	return decodeOwned(data, base)
}

// loadELFSpec decodes the .BTF section of the ELF file in r.
func loadELFSpec(r io.ReaderAt, base *Spec) (*Spec, error) {
	ef, err := openELF(r)
	if err != nil {
		return nil, err
	}
	data, err := ef.section(SectionBTF)
	if errors.Is(err, errNoSection) {
		return nil, fmt.Errorf("btf: %w", ErrNoBTFSection)
	}
	if err != nil {
		return nil, err
	}
	s, err := decodeOwned(data, base)
	if err != nil {
		sec := ef.f.Section(SectionBTF)
		return nil, fmt.Errorf("ELF section %s at file offset %#x: %w", SectionBTF, sec.Offset, err)
	}
	return s, nil
}

// ReadELFSection returns the contents of the named section of an ELF file,
// checking the section against the file's size when r tells it (an
// *os.File, *bytes.Reader, *io.SectionReader). When the section is
// missing it wraps ErrNoBTFSection for .BTF and ErrNoExtSection for
// .BTF.ext.
func ReadELFSection(r io.ReaderAt, name string) ([]byte, error) {
	ef, err := openELF(r)
	if err != nil {
		return nil, err
	}
	data, err := ef.section(name)
	if errors.Is(err, errNoSection) {
		switch name {
		case SectionBTF:
			return nil, fmt.Errorf("btf: %w", ErrNoBTFSection)
		case SectionBTFExt:
			return nil, fmt.Errorf("btf: %w", ErrNoExtSection)
		}
		return nil, fmt.Errorf("btf: no %s section", name)
	}
	return data, err
}
