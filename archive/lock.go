package archive

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// LockName is the lock file at an archive's root. Writers hold an
// exclusive flock(2) on it while they change the tree or its catalogue;
// the kernel drops the lock when a writer dies.
const LockName = ".btfhub.lock"

// lock takes the archive's lock, waiting for other writers.
func lock(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, LockName), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking archive: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking archive %s: %w", dir, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
