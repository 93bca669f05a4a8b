package pkgread

import "io"

// NewDecompressor returns a reader of r's content, decompressed when r
// starts with the magic of xz, zstd, gzip or bzip2, and unchanged
// otherwise. close releases the decoder (and stops the xz process, see the
// package doc for when one is used). Errors in the compressed data wrap
// ErrFormat.
func NewDecompressor(r io.Reader) (out io.Reader, close func(), err error) {
	zr, closer, err := decompress(r, "")
	if err != nil {
		return nil, nil, err
	}
	return errLabel{zr, "decompressing"}, closer, nil
}
