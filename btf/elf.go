package btf

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/btfhub/btfhub/internal/readguard"
)

// ELF section names that hold BTF.
const (
	// SectionBTF is the name of the ELF section that holds BTF
	// (BTF_ELF_SEC in libbpf).
	SectionBTF = ".BTF"
	// SectionBTFExt is the name of the ELF section that holds a BPF
	// object's func info, line info and CO-RE relocations
	// (BTF_EXT_ELF_SEC in libbpf).
	SectionBTFExt = ".BTF.ext"
)

// maxSectionSize bounds the size of a section read from an ELF file whose
// size is unknown. BTF sections are a few megabytes: vmlinux .BTF is about
// 6 MB, and the pre-dedup BTF of a whole kernel is 130 MB.
const maxSectionSize = 1 << 30

// elfFile is an ELF file opened for reading its sections, with the size of
// the input when the reader tells it.
type elfFile struct {
	f    *elf.File
	r    io.ReaderAt
	size int64 // -1 when unknown
}

// openELF parses the ELF headers of r. debug/elf has had panics on
// malformed input (see package readguard): a panic becomes an error.
func openELF(r io.ReaderAt) (*elfFile, error) {
	var f *elf.File
	err := readguard.Run(func() error {
		var err error
		f, err = elf.NewFile(r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("btf: reading ELF: %w", err)
	}
	return &elfFile{f: f, r: r, size: readerSize(r)}, nil
}

// readerSize returns the size of r's data when r can tell it, or -1.
func readerSize(r io.ReaderAt) int64 {
	switch r := r.(type) {
	case interface{ Size() int64 }:
		return r.Size()
	case interface{ Stat() (os.FileInfo, error) }:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	}
	return -1
}

// section returns the named section's contents. It returns an error
// wrapping errNoSection when the file has no such section.
func (ef *elfFile) section(name string) ([]byte, error) {
	var sec *elf.Section
	for _, s := range ef.f.Sections {
		if s.Name == name {
			sec = s
			break
		}
	}
	if sec == nil {
		return nil, fmt.Errorf("btf: ELF file has no %s section: %w", name, errNoSection)
	}
	where := func(format string, args ...any) error {
		prefix := []any{name, sec.Offset, sec.FileSize}
		return fmt.Errorf("btf: ELF section %s (offset %#x, size %#x): "+format, append(prefix, args...)...)
	}
	switch {
	case sec.Type == elf.SHT_NOBITS:
		return nil, where("section has no data (SHT_NOBITS): %w", ErrTruncated)
	case sec.Flags&elf.SHF_COMPRESSED != 0:
		// libbpf reads .BTF with elf_getdata, which does not decompress.
		return nil, where("compressed sections are not supported: %w", ErrUnsupported)
	case sec.FileSize > maxSectionSize:
		return nil, where("section larger than %d bytes: %w", maxSectionSize, ErrUnsupported)
	case ef.size >= 0 && (sec.Offset > uint64(ef.size) || sec.FileSize > uint64(ef.size)-sec.Offset):
		return nil, where("section runs past the end of the file (%#x bytes): %w", ef.size, ErrTruncated)
	}
	if sec.Offset > 1<<62 {
		return nil, where("bad section offset: %w", ErrTruncated)
	}
	if ef.size < 0 {
		// The size is unknown: let the buffer grow with what the reader
		// really gives rather than trusting the header.
		var buf bytes.Buffer
		n, err := io.Copy(&buf, io.NewSectionReader(ef.r, int64(sec.Offset), int64(sec.FileSize)))
		if err != nil {
			return nil, where("%w", err)
		}
		if uint64(n) != sec.FileSize {
			return nil, where("read %d bytes: %w", n, ErrTruncated)
		}
		return buf.Bytes(), nil
	}
	data := make([]byte, sec.FileSize)
	n, err := ef.r.ReadAt(data, int64(sec.Offset))
	if n == len(data) {
		return data, nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = ErrTruncated
	}
	return nil, where("read %d bytes: %w", n, err)
}

// errNoSection is wrapped by elfFile.section for a missing section; the
// exported functions turn it into ErrNoBTFSection or ErrNoExtSection.
var errNoSection = errors.New("no such section")
