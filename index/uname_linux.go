package index

import "syscall"

// uname returns the running kernel's release and machine.
func uname() (release, machine string, err error) {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return "", "", err
	}
	return cstr(u.Release[:]), cstr(u.Machine[:]), nil
}

// cstr converts a NUL-terminated C string; char is signed on some
// architectures and unsigned on others.
func cstr[T int8 | uint8](b []T) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c == 0 {
			break
		}
		out = append(out, byte(c))
	}
	return string(out)
}
