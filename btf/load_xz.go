package btf

import (
	"bufio"
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"

	"github.com/ulikunitz/xz"
)

// xzMagic starts every xz stream.
var xzMagic = [6]byte{0xfd, '7', 'z', 'X', 'Z', 0x00}

// ErrTooLargeInput is wrapped when a stream holds more than
// LoadOptions.MaxSize bytes.
var ErrTooLargeInput = errors.New("input larger than the limit")

// LoadSpecFromStream reads BTF from r, which need not support seeking
// (standard input, a download): raw BTF, an ELF file, or either of them
// xz-compressed. Raw BTF is read by the size its header declares, after
// the header is checked from the first bytes, so that a stream that is not
// BTF (gigabytes of zeros, a decompression bomb) fails before it is
// buffered; an ELF file is read whole. Both are bounded by
// LoadOptions.MaxSize. Errors about the decompressed data start "xz: ".
func LoadSpecFromStream(r io.Reader, opts *LoadOptions) (*Spec, error) {
	data, err := readMaybeXZ(r, opts.maxSize())
	if err != nil {
		return nil, err
	}
	return loadFromReader(bytes.NewReader(data), opts.base(), opts.decode())
}

// readMaybeXZ reads raw BTF or an ELF file from r, decompressing it first
// when it is an xz stream.
func readMaybeXZ(r io.Reader, limit int64) ([]byte, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(len(xzMagic)); !bytes.Equal(magic, xzMagic[:]) {
		return readRawOrELF(br, limit)
	}
	zr, err := xz.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("xz: %w", err)
	}
	data, err := readRawOrELF(zr, limit)
	if err != nil {
		return nil, fmt.Errorf("xz: %w", err)
	}
	return data, nil
}

// readRawOrELF reads raw BTF (see ReadRaw), or an ELF file whole, up to
// limit bytes.
func readRawOrELF(r io.Reader, limit int64) ([]byte, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(4); !bytes.Equal(magic, []byte(elf.ELFMAG)) {
		return ReadRaw(br, limit)
	}
	data, err := io.ReadAll(io.LimitReader(br, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("ELF file: %w (%d bytes)", ErrTooLargeInput, limit)
	}
	return data, nil
}
