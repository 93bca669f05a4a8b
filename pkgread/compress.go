package pkgread

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

var (
	magicXZ    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	magicZstd  = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicGzip  = []byte{0x1f, 0x8b}
	magicBzip2 = []byte("BZh")
)

// decompress returns a reader of r's content, decompressed when r starts
// with the magic of xz, zstd, gzip or bzip2, and as is otherwise (plain
// tar or cpio). hint names the compressor when the container says it
// ("lzma" for old RPM payloads, which have no magic). close releases the
// decoder.
func decompress(r io.Reader, hint string) (out io.Reader, close func(), err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(6)
	nop := func() {}
	switch {
	case bytes.HasPrefix(magic, magicXZ):
		if tool := xzTool(); tool != "" {
			p, err := startXZ(tool, br)
			if err != nil {
				return nil, nil, err
			}
			return p, p.Close, nil
		}
		zr, err := xz.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("xz: %w: %w", ErrFormat, err)
		}
		return zr, nop, nil
	case bytes.HasPrefix(magic, magicZstd):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(1<<30))
		if err != nil {
			return nil, nil, fmt.Errorf("zstd: %w: %w", ErrFormat, err)
		}
		return zr, zr.Close, nil
	case bytes.HasPrefix(magic, magicGzip):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w: %w", ErrFormat, err)
		}
		return zr, nop, nil
	case bytes.HasPrefix(magic, magicBzip2):
		return bzip2.NewReader(br), nop, nil
	case hint == "lzma":
		zr, err := lzma.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("lzma: %w: %w", ErrFormat, err)
		}
		return zr, nop, nil
	}
	return br, nop, nil
}

// wrapErr labels decompression errors from the middle of a stream as
// format errors, so that a truncated or corrupt payload is reported as
// such rather than as an I/O failure.
type errLabel struct {
	r    io.Reader
	what string
}

func (e errLabel) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		if errors.Is(err, ErrFormat) || !isDecoderError(err) {
			err = fmt.Errorf("%s: %w", e.what, err)
		} else {
			err = fmt.Errorf("%s: %w: %w", e.what, ErrFormat, err)
		}
	}
	return n, err
}

// isDecoderError tells an error of a decompressor about its input from
// an error of the reader below it, which the decompressors pass on as
// they got it: those are the errors that wrap neither a net.Error, a
// context error nor an *os.PathError.
func isDecoderError(err error) bool {
	var ne net.Error
	var pe *os.PathError
	return !errors.As(err, &ne) && !errors.As(err, &pe) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}
