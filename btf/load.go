package btf

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
)

// LoadOptions adjust LoadSpec and LoadSpecFromStream. The zero value, and
// nil, load base BTF with the default bound.
type LoadOptions struct {
	// Base is the base spec of split BTF (a kernel module's), or nil.
	Base *Spec
	// MaxSize bounds what is read into memory from a stream or an xz
	// file: raw BTF by the size its header declares, an ELF file whole.
	// 0 means DefaultMaxLoad.
	MaxSize int64
	// Decode relaxes the decoder's checks (DecodeWith).
	Decode DecodeOptions
}

// DefaultMaxLoad is the default of LoadOptions.MaxSize: 4 GiB.
const DefaultMaxLoad = 4 << 30

func (o *LoadOptions) base() *Spec {
	if o == nil {
		return nil
	}
	return o.Base
}

func (o *LoadOptions) decode() DecodeOptions {
	if o == nil {
		return DecodeOptions{}
	}
	return o.Decode
}

func (o *LoadOptions) maxSize() int64 {
	if o == nil || o.MaxSize <= 0 {
		return DefaultMaxLoad
	}
	return o.MaxSize
}

// KernelBTFPath is where a kernel built with CONFIG_DEBUG_INFO_BTF
// describes itself.
const KernelBTFPath = "/sys/kernel/btf/vmlinux"

// LoadKernelSpec reads the running kernel's BTF from KernelBTFPath. A
// kernel without BTF gives an error wrapping fs.ErrNotExist.
func LoadKernelSpec() (*Spec, error) { return LoadSpec(KernelBTFPath, nil) }

// LoadSpec reads BTF from a file: raw BTF (such as /sys/kernel/btf/vmlinux)
// or an ELF file with a .BTF section (vmlinux, a kernel module, a BPF
// object), of either class and byte order, either of them possibly
// xz-compressed (as btfhub-archive's kernels are). Errors name the file.
func LoadSpec(path string, opts *LoadOptions) (*Spec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var magic [len(xzMagic)]byte
	n, _ := f.ReadAt(magic[:], 0)
	var s *Spec
	if n == len(magic) && magic == xzMagic {
		s, err = LoadSpecFromStream(f, opts)
	} else {
		// Not xz: read only what is needed (the .BTF section of a
		// large vmlinux, say).
		s, err = loadFromReader(f, opts.base(), opts.decode())
	}
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
	return loadFromReader(r, base, DecodeOptions{})
}

// loadFromReader is LoadSpecFromReader with decoding options.
func loadFromReader(r io.ReaderAt, base *Spec, dopts DecodeOptions) (*Spec, error) {
	var magic [4]byte
	n, err := r.ReadAt(magic[:], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if n == 4 && bytes.Equal(magic[:], []byte(elf.ELFMAG)) {
		return loadELFSpec(r, base, dopts)
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
	return decodeOpts(data, base, true, dopts)
}

// loadELFSpec decodes the .BTF section of the ELF file in r.
func loadELFSpec(r io.ReaderAt, base *Spec, dopts DecodeOptions) (*Spec, error) {
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
	s, err := decodeOpts(data, base, true, dopts)
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
