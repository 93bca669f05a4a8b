package safefs

import "golang.org/x/sys/unix"

// openat2 opens rel beneath dirfd with RESOLVE_BENEATH and
// RESOLVE_NO_SYMLINKS.
func openat2(dirfd int, rel string, flags int, mode uint32) (int, error) {
	how := unix.OpenHow{Flags: uint64(flags), Mode: uint64(mode), Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS}
	if flags&unix.O_CREAT == 0 {
		how.Mode = 0
	}
	return unix.Openat2(dirfd, rel, &how)
}
