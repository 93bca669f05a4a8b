package archive

import (
	"fmt"
	"syscall"

	"github.com/btfhub/btfhub/internal/safefs"
)

// lockName is the lock file at an archive's root. Writers hold an
// exclusive flock(2) on it while they change the tree or its catalogue;
// the kernel drops the lock when a writer dies.
const lockName = ".btfhub.lock"

// lock takes the archive's lock, waiting for other writers. The lock file
// must be a regular file: a link is refused, not followed.
func lock(dir string) (unlock func(), err error) {
	r, err := safefs.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("locking archive: %w", err)
	}
	f, err := r.OpenLock(lockName, 0o644)
	r.Close()
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
