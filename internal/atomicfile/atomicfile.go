// Package atomicfile writes files so that readers see either the old
// content or the complete new content, never a partial file: data goes to
// a temporary file in the destination's directory, which is synced and then
// renamed over the destination.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Stdout is the path that names standard output, where atomicity does not
// apply.
const Stdout = "-"

// Write creates or replaces the file at path with what fn writes. If fn or
// any step fails, the destination is left untouched and the temporary file
// is removed. The path "-" writes to standard output.
func Write(path string, perm os.FileMode, fn func(w io.Writer) error) (err error) {
	if path == Stdout {
		return fn(os.Stdout)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = fn(f); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", tmp, err)
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// WriteFile is Write for data already in memory.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
