// Package atomicfile writes files so that readers see either the old
// content or the complete new content, never a partial file.
//
// What a write does depends on what the destination is:
//
//   - "-" is standard output, written directly.
//   - A regular file, or a name that does not exist, is written atomically:
//     data goes to a temporary file in the destination's directory, named
//     .NAME.tmp-PID-RANDOM, which is synced and then renamed over NAME.
//     Nothing but a regular file is ever renamed over.
//   - A symbolic link is followed: the file it resolves to (through every
//     link) is written as above, so the link itself is kept and the file
//     it points at is replaced atomically. A link to a missing file is
//     refused with ErrDanglingLink.
//   - A device, FIFO or socket (such as /dev/null, /dev/full, /dev/stdout
//     or a named pipe), or a link that leads to one, is opened and
//     written directly; it is never replaced. Atomicity does not apply, and a failed write (ENOSPC on
//     /dev/full) is returned as an error.
//   - A directory is refused with ErrIsDir.
//
// Every temporary file is removed on any error, and when the context given
// to WriteContext is cancelled. Temporary files of runs that were killed
// (SIGKILL) are removed by the next write to the same destination: those
// named for that destination whose PID is no longer running, or was
// reused by a process started after the file was last written. A process
// about to exit on a signal calls RemoveTemps to remove the temporary
// files of writes still under way.
package atomicfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// Stdout is the path that names standard output, where atomicity does not
// apply.
const Stdout = "-"

// ErrIsDir is returned when the destination is a directory.
var ErrIsDir = errors.New("is a directory")

// ErrDanglingLink is returned when the destination is a symbolic link to a
// file that does not exist.
var ErrDanglingLink = errors.New("symbolic link to a missing file")

// Write creates or replaces the file at path with what fn writes. If fn or
// any step fails, the destination is left untouched and the temporary file
// is removed. The path "-" writes to standard output; see the package
// documentation for devices and symbolic links.
func Write(path string, perm os.FileMode, fn func(w io.Writer) error) error {
	return WriteContext(context.Background(), path, perm, fn)
}

// WriteFile is Write for data already in memory.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return WriteFileContext(context.Background(), path, data, perm)
}

// WriteFileContext is WriteContext for data already in memory.
func WriteFileContext(ctx context.Context, path string, data []byte, perm os.FileMode) error {
	return WriteContext(ctx, path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteContext is Write, stopped by ctx: every write fn makes fails with
// ctx's error once ctx is done, and the destination is not replaced when
// ctx is done before the rename, even if fn succeeded.
func WriteContext(ctx context.Context, path string, perm os.FileMode, fn func(w io.Writer) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if path == Stdout {
		return fn(NewWriter(ctx, os.Stdout))
	}
	target, direct, err := resolve(path)
	if err != nil {
		return err
	}
	if direct {
		return writeDirect(ctx, target, fn)
	}
	return writeAtomic(ctx, target, perm, fn)
}

// resolve returns the file a write to path goes to, following symbolic
// links, and whether that file is written directly (a device, FIFO or
// socket) rather than replaced.
func resolve(path string) (string, bool, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, false, nil
	}
	if err != nil {
		return "", false, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		// What the links lead to, by stat: a link through /proc's
		// magic links (/dev/stdout -> /proc/self/fd/1 -> pipe:[N])
		// resolves by stat but not by name. Anything but a regular
		// file is written in place through the link.
		if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
			return path, true, nil
		}
		target, err := filepath.EvalSymlinks(path)
		if errors.Is(err, fs.ErrNotExist) {
			return "", false, fmt.Errorf("%s: %w", path, ErrDanglingLink)
		}
		if err != nil {
			return "", false, err
		}
		if fi, err = os.Stat(target); err != nil {
			return "", false, err
		}
		path = target
	}
	switch {
	case fi.Mode().IsRegular():
		return path, false, nil
	case fi.IsDir():
		return "", false, fmt.Errorf("%s: %w", path, ErrIsDir)
	default:
		return path, true, nil
	}
}

// writeDirect writes to a device, FIFO or socket in place.
func writeDirect(ctx context.Context, path string, fn func(w io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if err := fn(NewWriter(ctx, f)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeAtomic writes a temporary file beside path and renames it over path.
func writeAtomic(ctx context.Context, path string, perm os.FileMode, fn func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	removeStale(dir, base)
	f, err := os.CreateTemp(dir, tempPrefix(base)+"*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return &fs.PathError{Op: "create", Path: path, Err: pe.Err}
		}
		return err
	}
	tmp := f.Name()
	register(tmp)
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
		unregister(tmp)
	}()
	if err = fn(NewWriter(ctx, f)); err != nil {
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
	if err = ctx.Err(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// tempPrefix is what the names of this process's temporary files for the
// file named base start with.
func tempPrefix(base string) string {
	return "." + base + ".tmp-" + strconv.Itoa(os.Getpid()) + "-"
}

// NewWriter returns a writer that writes to w until ctx is done, and then
// fails every write with ctx's error. Output loops that write through it
// stop at their next write when ctx is cancelled.
func NewWriter(ctx context.Context, w io.Writer) io.Writer {
	if ctx.Done() == nil {
		return w
	}
	return &ctxWriter{ctx: ctx, w: w}
}

type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// temps holds the temporary files of the writes under way.
var temps struct {
	sync.Mutex
	names map[string]bool
}

func register(name string) {
	temps.Lock()
	defer temps.Unlock()
	if temps.names == nil {
		temps.names = map[string]bool{}
	}
	temps.names[name] = true
}

func unregister(name string) {
	temps.Lock()
	defer temps.Unlock()
	delete(temps.names, name)
}

// RemoveTemps removes the temporary files of every write under way, for a
// process about to exit before those writes finish (on a signal, say).
// Writes still running afterwards fail.
func RemoveTemps() {
	temps.Lock()
	defer temps.Unlock()
	for name := range temps.names {
		os.Remove(name)
		delete(temps.names, name)
	}
}
