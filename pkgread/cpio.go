package pkgread

import (
	"fmt"
	"io"
	"io/fs"
	"strconv"
)

// The "new ASCII" cpio format (magic 070701, or 070702 with checksums)
// that RPM payloads use: a 110-byte header of 8-digit hex fields, the
// NUL-terminated name, padding to 4 bytes, the content, padding to 4.
const (
	cpioHeaderSize = 110
	cpioMaxName    = 4096
	cpioTrailer    = "TRAILER!!!"
)

// cpioEntries iterates over a newc cpio stream.
func cpioEntries(r io.Reader) func() (*Entry, error) {
	var cur *io.LimitedReader
	var pad int64
	var done bool
	return func() (*Entry, error) {
		if done {
			return nil, io.EOF
		}
		if cur != nil {
			if _, err := io.CopyN(io.Discard, r, cur.N+pad); err != nil {
				return nil, fmt.Errorf("cpio: %w: truncated entry", ErrFormat)
			}
		}
		var h [cpioHeaderSize]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return nil, fmt.Errorf("cpio: %w: truncated header", ErrFormat)
		}
		magic := string(h[:6])
		if magic == "07070X" {
			return nil, fmt.Errorf("cpio: %w: RPM's stripped cpio (large files) is not supported", ErrFormat)
		}
		if magic != "070701" && magic != "070702" {
			return nil, fmt.Errorf("cpio: %w: bad magic %q", ErrFormat, magic)
		}
		field := func(i int) (int64, error) {
			s := string(h[6+8*i : 6+8*i+8])
			v, err := strconv.ParseUint(s, 16, 32)
			if err != nil {
				return 0, fmt.Errorf("cpio: %w: bad header field %q", ErrFormat, s)
			}
			return int64(v), nil
		}
		mode, err := field(1)
		if err != nil {
			return nil, err
		}
		size, err := field(6)
		if err != nil {
			return nil, err
		}
		nameSize, err := field(11)
		if err != nil {
			return nil, err
		}
		if nameSize < 1 || nameSize > cpioMaxName {
			return nil, fmt.Errorf("cpio: %w: name of %d bytes", ErrFormat, nameSize)
		}
		name := make([]byte, nameSize+(4-(cpioHeaderSize+nameSize)%4)%4)
		if _, err := io.ReadFull(r, name); err != nil {
			return nil, fmt.Errorf("cpio: %w: truncated name", ErrFormat)
		}
		if name[nameSize-1] != 0 {
			return nil, fmt.Errorf("cpio: %w: unterminated name", ErrFormat)
		}
		n := string(name[:nameSize-1])
		if n == cpioTrailer {
			done = true
			return nil, io.EOF
		}
		perm := fs.FileMode(mode & 0o777)
		switch mode & 0o170000 {
		case 0o100000:
		case 0o040000:
			perm |= fs.ModeDir
		case 0o120000:
			perm |= fs.ModeSymlink
		default:
			perm |= fs.ModeIrregular
		}
		cur = &io.LimitedReader{R: r, N: size}
		pad = (4 - size%4) % 4
		return &Entry{Name: cleanName(n), Size: size, Mode: perm, r: cur}, nil
	}
}
