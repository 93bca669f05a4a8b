package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"os"

	"github.com/btfhub/btfhub/btf"
	"github.com/ulikunitz/xz"
)

// maxInput bounds what btfhub reads into memory from standard input or an
// xz stream.
const maxInput = 4 << 30

var xzMagic = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}

// loadSpec reads BTF from path ("-" for standard input), split over the
// BTF at basePath when that is not empty. Raw BTF, ELF files and
// xz-compressed raw BTF are accepted. Errors name the file.
func loadSpec(path, basePath string) (*btf.Spec, error) {
	var base *btf.Spec
	if basePath != "" {
		var err error
		if base, err = loadSpec(basePath, ""); err != nil {
			return nil, fmt.Errorf("base: %w", err)
		}
	}
	name := path
	var r io.Reader
	if path == "-" {
		name, r = "standard input", os.Stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		var magic [6]byte
		if _, err := io.ReadFull(f, magic[:]); err != nil || !bytes.Equal(magic[:], xzMagic) {
			// Not xz: let btf read only what it needs (the .BTF section of
			// a large vmlinux, say).
			s, err := btf.LoadSpecFromReader(f, base)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			return s, nil
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		r = f
	}
	data, err := readAllMaybeXZ(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s, err := btf.LoadSpecFromReader(bytes.NewReader(data), base)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// readAllMaybeXZ reads r, decompressing it when it is an xz stream. Raw
// BTF is read by the size its header declares, up to maxInput bytes,
// after the header is checked from the first bytes: a stream that is not
// BTF (say, gigabytes of zeros) fails before it is buffered.
func readAllMaybeXZ(r io.Reader) ([]byte, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(len(xzMagic)); !bytes.Equal(magic, xzMagic) {
		return readBTFOrELF(br, "input")
	}
	zr, err := xz.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("xz: %w", err)
	}
	data, err := readBTFOrELF(zr, "decompressed input")
	if err != nil {
		return nil, fmt.Errorf("xz: %w", err)
	}
	return data, nil
}

// readBTFOrELF reads raw BTF (see btf.ReadRaw), or an ELF file whole, up
// to maxInput bytes.
func readBTFOrELF(r io.Reader, what string) ([]byte, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(4); !bytes.Equal(magic, []byte(elf.ELFMAG)) {
		return btf.ReadRaw(br, maxInput)
	}
	data, err := io.ReadAll(io.LimitReader(br, maxInput+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxInput {
		return nil, fmt.Errorf("%s larger than 4 GiB", what)
	}
	return data, nil
}
