//go:build !linux

package index

import "errors"

// uname is only available on Linux; elsewhere the release and machine
// must be given.
func uname() (release, machine string, err error) {
	return "", "", errors.New("uname: not supported on this system; give the release and machine")
}
