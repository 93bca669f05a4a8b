//go:build unix && !linux

package safefs

import "golang.org/x/sys/unix"

// openat2 is Linux's; elsewhere paths are resolved component by
// component.
func openat2(dirfd int, rel string, flags int, mode uint32) (int, error) {
	return -1, unix.ENOSYS
}
