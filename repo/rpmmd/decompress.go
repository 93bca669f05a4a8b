package rpmmd

import (
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/btfhub/btfhub/repo"
)

// maxZstdWindow bounds the memory a zstd frame may ask for; createrepo
// compresses with windows far below it.
const maxZstdWindow = 1 << 27

// Compression formats of metadata files.
const (
	formatPlain = "plain"
	formatGzip  = "gzip"
	formatXz    = "xz"
	formatZstd  = "zstd"
	formatBzip2 = "bzip2"
)

var magics = []struct {
	format string
	magic  []byte
}{
	{formatGzip, []byte{0x1f, 0x8b}},
	{formatXz, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}},
	{formatZstd, []byte{0x28, 0xb5, 0x2f, 0xfd}},
	{formatBzip2, []byte("BZh")},
}

// sniff names the compression format data starts with.
func sniff(data []byte) string {
	for _, m := range magics {
		if bytes.HasPrefix(data, m.magic) {
			return m.format
		}
	}
	return formatPlain
}

// formatOf names the compression format that href's suffix gives, or ""
// when the suffix names none.
func formatOf(href string) string {
	switch {
	case strings.HasSuffix(href, ".gz"):
		return formatGzip
	case strings.HasSuffix(href, ".xz"):
		return formatXz
	case strings.HasSuffix(href, ".zst"), strings.HasSuffix(href, ".zstd"):
		return formatZstd
	case strings.HasSuffix(href, ".bz2"):
		return formatBzip2
	case strings.HasSuffix(href, ".xml"):
		return formatPlain
	}
	return ""
}

// decompress returns a reader of data decompressed as href's suffix says
// (or, for an unknown suffix, as its magic says), which fails once more
// than max bytes come out. The suffix and the magic must agree. Errors,
// also those of the returned reader, wrap repo.ErrMetadata.
func decompress(href string, data []byte, max int64) (io.ReadCloser, error) {
	magic := sniff(data)
	format := formatOf(href)
	if strings.HasSuffix(href, ".zck") {
		return nil, fmt.Errorf("%w: %s: zchunk is not supported", repo.ErrMetadata, href)
	}
	if format == "" {
		format = magic
	}
	if format != magic {
		return nil, fmt.Errorf("%w: %s: named as %s but its content is %s", repo.ErrMetadata, href, format, magic)
	}
	src := bytes.NewReader(data)
	var r io.Reader
	closer := func() {}
	switch format {
	case formatPlain:
		r = src
	case formatGzip:
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: gzip: %w", repo.ErrMetadata, href, err)
		}
		r = zr
	case formatXz:
		zr, err := xz.NewReader(src)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: xz: %w", repo.ErrMetadata, href, err)
		}
		r = zr
	case formatZstd:
		zr, err := zstd.NewReader(src, zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(maxZstdWindow))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: zstd: %w", repo.ErrMetadata, href, err)
		}
		r, closer = zr, zr.Close
	case formatBzip2:
		r = bzip2.NewReader(src)
	}
	return &boundedReader{r: r, left: max, name: href, format: format, close: closer}, nil
}

// errTooLarge is returned by a boundedReader past its bound.
var errTooLarge = errors.New("decompresses to more than its bound")

// boundedReader reads a decompressor, failing past left bytes, and labels
// its errors.
type boundedReader struct {
	r      io.Reader
	left   int64
	name   string
	format string
	close  func()
	err    error
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	if int64(n) > b.left {
		n = int(b.left)
		err = errTooLarge
	}
	b.left -= int64(n)
	switch {
	case err == nil, err == io.EOF:
	case errors.Is(err, errTooLarge):
		err = fmt.Errorf("%w: %s: %w", repo.ErrMetadata, b.name, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = fmt.Errorf("%w: %s: %s: truncated", repo.ErrMetadata, b.name, b.format)
	default:
		err = fmt.Errorf("%w: %s: %s: %w", repo.ErrMetadata, b.name, b.format, err)
	}
	b.err = err
	return n, err
}

// Close releases the decompressor.
func (b *boundedReader) Close() error {
	b.close()
	return nil
}
