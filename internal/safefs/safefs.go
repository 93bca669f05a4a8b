// Package safefs opens, creates and replaces files beneath a root
// directory without ever following a symbolic link, so that a link
// planted inside a tree cannot make a reader or a writer reach a file
// outside it. On Linux each path is resolved by openat2(2) with
// RESOLVE_BENEATH and RESOLVE_NO_SYMLINKS; where openat2 is missing
// (ENOSYS, before Linux 5.6) it is resolved one component at a time with
// O_NOFOLLOW. Files opened for reading are opened with O_NONBLOCK and
// must be regular files: a device, a FIFO or a socket is refused before
// a byte is read.
package safefs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// ErrNotRegular is wrapped by errors about a path that is not a regular
// file: a directory, a device, a FIFO, a socket.
var ErrNotRegular = errors.New("not a regular file")

// ErrSymlink is wrapped by errors about a path that is, or goes through,
// a symbolic link.
var ErrSymlink = errors.New("is or goes through a symbolic link")

// ErrEscapes is wrapped by errors about a path that names a file outside
// the root: absolute, or with a ".." component.
var ErrEscapes = errors.New("escapes the root")

// ErrTooLarge is wrapped by errors about a file larger than the bound its
// reader set.
var ErrTooLarge = errors.New("larger than the limit")

// cleanRel checks that rel (slash-separated) stays beneath a root and
// returns it cleaned; "" and "." name the root.
func cleanRel(rel string) (string, error) {
	if strings.HasPrefix(rel, "/") {
		return "", fmt.Errorf("%s: %w", rel, ErrEscapes)
	}
	c := path.Clean("/" + rel)[1:]
	for _, part := range strings.Split(rel, "/") {
		if part == ".." {
			return "", fmt.Errorf("%s: %w", rel, ErrEscapes)
		}
	}
	if c == "" {
		c = "."
	}
	return c, nil
}

// checkRegular insists that f, opened as name, is a regular file of at
// most max bytes (max <= 0: no bound), and returns its size.
func checkRegular(f *os.File, name string, max int64) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("%s: %w (%s)", name, ErrNotRegular, kind(fi.Mode()))
	}
	if max > 0 && fi.Size() > max {
		return 0, fmt.Errorf("%s: %d bytes: %w (%d)", name, fi.Size(), ErrTooLarge, max)
	}
	return fi.Size(), nil
}

// kind names a file's type for errors.
func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeSymlink != 0:
		return "a symbolic link"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a block device"
	}
	return "an irregular file"
}

// readAllSized reads all of f, whose size is size, in one allocation,
// failing when the file grew meanwhile.
func readAllSized(f *os.File, name string, size int64) ([]byte, error) {
	buf := make([]byte, size)
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, fmt.Errorf("%s: reading %d bytes: %w", name, size, err)
	}
	var one [1]byte
	if n, _ := f.Read(one[:]); n > 0 {
		return nil, fmt.Errorf("%s: grew past %d bytes while being read", name, size)
	}
	return buf, nil
}

// OpenFile opens the file at path for reading, following no symbolic
// link at its last component and never blocking in open (a FIFO), and
// insists on a regular file of at most max bytes (max <= 0: no bound).
// It is for files whose path btfhub knows, outside any tree: a catalogue
// named directly, /sys/kernel/btf/vmlinux.
func OpenFile(path string, max int64) (*os.File, int64, error) {
	return openRegular(path, max, openNoFollow)
}

// OpenInput is OpenFile for a file the user named, and follows symbolic
// links as any command does with the files it is given: the file they
// lead to must be a regular file.
func OpenInput(path string, max int64) (*os.File, int64, error) {
	return openRegular(path, max, openFollow)
}

// ReadInput reads the regular file at path (see OpenInput) in one
// allocation of its size, refusing one larger than max bytes.
func ReadInput(path string, max int64) ([]byte, error) {
	f, size, err := OpenInput(path, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAllSized(f, path, size)
}

// openRegular opens path with open, which must not block, and insists on
// a regular file of at most max bytes.
func openRegular(path string, max int64, open func(string) (*os.File, error)) (*os.File, int64, error) {
	f, err := open(path)
	if err != nil {
		return nil, 0, err
	}
	size, err := checkRegular(f, path, max)
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if err := clearNonblock(f); err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return f, size, nil
}

// ReadFile reads the regular file at path (see OpenFile) in one
// allocation of its size, refusing one larger than max bytes.
func ReadFile(path string, max int64) ([]byte, error) {
	f, size, err := OpenFile(path, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAllSized(f, path, size)
}
