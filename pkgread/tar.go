package pkgread

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// tarEntries iterates over the entries of a tar stream.
func tarEntries(r io.Reader, what string) func() (*Entry, error) {
	tr := tar.NewReader(r)
	return func() (*Entry, error) {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, io.EOF
		}
		if err != nil {
			if errors.Is(err, ErrFormat) {
				return nil, fmt.Errorf("%s: %w", what, err)
			}
			return nil, fmt.Errorf("%s: %w: %w", what, ErrFormat, err)
		}
		if h.Size < 0 {
			return nil, fmt.Errorf("%s: %s: %w: negative size", what, h.Name, ErrFormat)
		}
		mode := fs.FileMode(h.Mode).Perm()
		switch h.Typeflag {
		case tar.TypeReg:
		case tar.TypeDir:
			mode |= fs.ModeDir
		case tar.TypeSymlink:
			mode |= fs.ModeSymlink
		case tar.TypeLink:
			// A hard link has no content of its own.
			mode |= fs.ModeIrregular
		default:
			mode |= fs.ModeIrregular
		}
		return &Entry{Name: cleanName(h.Name), Size: h.Size, Mode: mode, r: errLabel{tr, what}}, nil
	}
}
