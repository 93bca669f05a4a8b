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
// object). base is the base spec for split BTF, or nil.
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
// LoadSpec does.
func LoadSpecFromReader(r io.ReaderAt, base *Spec) (*Spec, error) {
	var magic [4]byte
	if _, err := r.ReadAt(magic[:], 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if bytes.Equal(magic[:], []byte(elf.ELFMAG)) {
		data, err := ReadELFSection(r, ".BTF")
		if err != nil {
			return nil, err
		}
		return Decode(data, base)
	}
	data, err := io.ReadAll(io.NewSectionReader(r, 0, 1<<63-1))
	if err != nil {
		return nil, err
	}
	return Decode(data, base)
}

// ReadELFSection returns the contents of the named section of an ELF file.
// It wraps ErrNoBTFSection when the section is missing.
func ReadELFSection(r io.ReaderAt, name string) ([]byte, error) {
	f, err := elf.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("btf: reading ELF: %w", err)
	}
	sec := f.Section(name)
	if sec == nil {
		if name == ".BTF" {
			return nil, ErrNoBTFSection
		}
		return nil, fmt.Errorf("btf: no %s section", name)
	}
	if sec.Type == elf.SHT_NOBITS {
		return nil, fmt.Errorf("btf: ELF section %s has no data", name)
	}
	data, err := sec.Data()
	if err != nil {
		return nil, fmt.Errorf("btf: reading ELF section %s: %w", name, err)
	}
	return data, nil
}
