//go:build unix

package safefs

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Root is an open directory beneath which paths are resolved without
// following symbolic links. The root directory itself may be reached
// through a link: it is the caller's choice.
type Root struct {
	dir string
	fd  int
}

// OpenRoot opens the directory dir as a root.
func OpenRoot(dir string) (*Root, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	return &Root{dir: dir, fd: fd}, nil
}

// Close releases the root's directory.
func (r *Root) Close() error { return unix.Close(r.fd) }

// Dir is the root's path, as given to OpenRoot.
func (r *Root) Dir() string { return r.dir }

// name is the path of rel for errors.
func (r *Root) name(rel string) string { return filepath.Join(r.dir, filepath.FromSlash(rel)) }

// pathError turns an errno from resolving rel into an error naming it.
func (r *Root) pathError(op, rel string, err error) error {
	switch {
	case errors.Is(err, unix.ELOOP):
		return fmt.Errorf("%s: %w", r.name(rel), ErrSymlink)
	case errors.Is(err, unix.EXDEV):
		return fmt.Errorf("%s: %w", r.name(rel), ErrEscapes)
	}
	return &os.PathError{Op: op, Path: r.name(rel), Err: err}
}

// useOpenat2 is cleared when the kernel has no openat2 (ENOSYS), or a
// seccomp filter forbids it (EPERM), and by tests of the fallback.
var useOpenat2 = true

// openat opens rel beneath the root with flags (O_CLOEXEC and
// O_NOFOLLOW added) and mode, following no symbolic link.
func (r *Root) openat(rel string, flags int, mode uint32) (int, error) {
	rel, err := cleanRel(rel)
	if err != nil {
		return -1, err
	}
	flags |= unix.O_CLOEXEC | unix.O_NOFOLLOW
	if useOpenat2 {
		for range 8 {
			fd, err := openat2(r.fd, rel, flags, mode)
			if err == unix.EINTR || err == unix.EAGAIN {
				continue
			}
			if err == unix.ENOSYS || err == unix.EPERM {
				useOpenat2 = false
				break
			}
			if err == unix.ENOTDIR && isLink(r, strings.Split(rel, "/")) {
				err = unix.ELOOP
			}
			if err != nil {
				return -1, r.pathError("open", rel, err)
			}
			return fd, nil
		}
	}
	return r.walk(rel, flags, mode)
}

// walk resolves rel one component at a time, each directory opened with
// O_NOFOLLOW, then opens the last component with flags.
func (r *Root) walk(rel string, flags int, mode uint32) (int, error) {
	dfd, err := unix.Dup(r.fd)
	if err != nil {
		return -1, r.pathError("open", ".", err)
	}
	if rel == "." {
		unix.Close(dfd)
		return unix.Open(r.dir, flags&^unix.O_NOFOLLOW, mode)
	}
	parts := strings.Split(rel, "/")
	for i, part := range parts[:len(parts)-1] {
		next, err := unix.Openat(dfd, part, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		unix.Close(dfd)
		if err != nil {
			if err == unix.ENOTDIR && isLink(r, parts[:i+1]) {
				err = unix.ELOOP
			}
			return -1, r.pathError("open", path.Join(parts[:i+1]...), err)
		}
		dfd = next
	}
	fd, err := unix.Openat(dfd, parts[len(parts)-1], flags, mode)
	unix.Close(dfd)
	if err != nil {
		if err == unix.ENOTDIR && isLink(r, parts) {
			err = unix.ELOOP
		}
		return -1, r.pathError("open", rel, err)
	}
	return fd, nil
}

// isLink tells whether the components parts name a symbolic link, for
// the errno that O_DIRECTORY|O_NOFOLLOW gives on a link (ENOTDIR).
func isLink(r *Root, parts []string) bool {
	var st unix.Stat_t
	err := unix.Fstatat(r.fd, path.Join(parts...), &st, unix.AT_SYMLINK_NOFOLLOW)
	return err == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK
}

// Open opens the regular file rel beneath the root for reading, never
// blocking in open, and insists on a regular file of at most max bytes
// (max <= 0: no bound). It returns the file and its size.
func (r *Root) Open(rel string, max int64) (*os.File, int64, error) {
	fd, err := r.openat(rel, unix.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, err
	}
	f := os.NewFile(uintptr(fd), r.name(rel))
	size, err := checkRegular(f, r.name(rel), max)
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if err := clearNonblock(f); err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("%s: %w", r.name(rel), err)
	}
	return f, size, nil
}

// ReadFile reads the regular file rel beneath the root in one allocation
// of its size, refusing one larger than max bytes (max <= 0: no bound).
func (r *Root) ReadFile(rel string, max int64) ([]byte, error) {
	f, size, err := r.Open(rel, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAllSized(f, r.name(rel), size)
}

// Stat returns the file information of rel beneath the root, which must
// not be or go through a symbolic link.
func (r *Root) Stat(rel string) (fs.FileInfo, error) {
	fd, err := r.openat(rel, unix.O_PATH, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), r.name(rel))
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.name(rel), err)
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s: %w", r.name(rel), ErrSymlink)
	}
	return fi, nil
}

// OpenLock opens (creating it with mode perm) the regular file rel beneath
// the root for reading and writing, as a lock file.
func (r *Root) OpenLock(rel string, perm os.FileMode) (*os.File, error) {
	fd, err := r.openat(rel, unix.O_RDWR|unix.O_CREAT|unix.O_NONBLOCK, uint32(perm.Perm()))
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), r.name(rel))
	if _, err := checkRegular(f, r.name(rel), 0); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// MkdirAll creates the directory rel beneath the root and its missing
// parents with mode perm, refusing a component that is a symbolic link
// or not a directory.
func (r *Root) MkdirAll(rel string, perm os.FileMode) error {
	rel, err := cleanRel(rel)
	if err != nil || rel == "." {
		return err
	}
	dfd, err := unix.Dup(r.fd)
	if err != nil {
		return r.pathError("mkdir", ".", err)
	}
	parts := strings.Split(rel, "/")
	for i, part := range parts {
		if err := unix.Mkdirat(dfd, part, uint32(perm.Perm())); err != nil && err != unix.EEXIST {
			unix.Close(dfd)
			return r.pathError("mkdir", path.Join(parts[:i+1]...), err)
		}
		next, err := unix.Openat(dfd, part, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		unix.Close(dfd)
		if err != nil {
			if err == unix.ENOTDIR && isLink(r, parts[:i+1]) {
				err = unix.ELOOP
			}
			return r.pathError("mkdir", path.Join(parts[:i+1]...), err)
		}
		dfd = next
	}
	return unix.Close(dfd)
}

// WriteFile replaces the file rel beneath the root atomically with data:
// it writes a temporary file .<name>.tmp-<random> in the same directory,
// syncs it, and renames it over rel. An existing rel that is not a
// regular file (a link, a directory, a FIFO) is refused.
func (r *Root) WriteFile(rel string, data []byte, perm os.FileMode) (err error) {
	rel, err = cleanRel(rel)
	if err != nil {
		return err
	}
	dir, base := path.Split(rel)
	if base == "." {
		return fmt.Errorf("%s: %w", r.name(rel), ErrNotRegular)
	}
	dfd, err := r.openat(strings.TrimSuffix(dir, "/"), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	defer unix.Close(dfd)
	var st unix.Stat_t
	if err := unix.Fstatat(dfd, base, &st, unix.AT_SYMLINK_NOFOLLOW); err == nil {
		if st.Mode&unix.S_IFMT == unix.S_IFLNK {
			return fmt.Errorf("%s: %w", r.name(rel), ErrSymlink)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFREG {
			return fmt.Errorf("%s: %w (%s)", r.name(rel), ErrNotRegular, kind(fs.FileMode(0)|modeType(st.Mode)))
		}
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	tmp := "." + base + ".tmp-" + hex.EncodeToString(rnd[:])
	fd, err := unix.Openat(dfd, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, uint32(perm.Perm()))
	if err != nil {
		return r.pathError("create", path.Join(dir, tmp), err)
	}
	f := os.NewFile(uintptr(fd), r.name(path.Join(dir, tmp)))
	defer func() {
		if err != nil {
			f.Close()
			unix.Unlinkat(dfd, tmp, 0)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", f.Name(), err)
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = unix.Renameat(dfd, tmp, dfd, base); err != nil {
		return r.pathError("rename", rel, err)
	}
	return nil
}

// Remove deletes the file rel beneath the root (a link itself, not its
// target).
func (r *Root) Remove(rel string) error {
	rel, err := cleanRel(rel)
	if err != nil {
		return err
	}
	dir, base := path.Split(rel)
	dfd, err := r.openat(strings.TrimSuffix(dir, "/"), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	defer unix.Close(dfd)
	if err := unix.Unlinkat(dfd, base, 0); err != nil {
		return r.pathError("remove", rel, err)
	}
	return nil
}

// modeType maps a stat mode's file type to an fs.FileMode type.
func modeType(m uint32) fs.FileMode {
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		return fs.ModeDir
	case unix.S_IFLNK:
		return fs.ModeSymlink
	case unix.S_IFIFO:
		return fs.ModeNamedPipe
	case unix.S_IFSOCK:
		return fs.ModeSocket
	case unix.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		return fs.ModeDevice
	}
	return 0
}

// openNoFollow opens path for reading with O_NOFOLLOW and O_NONBLOCK.
func openNoFollow(name string) (*os.File, error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err == unix.ELOOP {
		return nil, fmt.Errorf("%s: %w", name, ErrSymlink)
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	return os.NewFile(uintptr(fd), name), nil
}

// openFollow opens path for reading with O_NONBLOCK.
func openFollow(name string) (*os.File, error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	return os.NewFile(uintptr(fd), name), nil
}

// clearNonblock puts f back in blocking mode once it is known to be a
// regular file.
func clearNonblock(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = unix.SetNonblock(int(fd), false) }); err != nil {
		return err
	}
	return serr
}
