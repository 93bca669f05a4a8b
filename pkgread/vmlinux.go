package pkgread

import (
	"fmt"
	"io"
	"strings"
)

// Kernel is a vmlinux read out of a package.
type Kernel struct {
	// Release is the kernel release (uname -r), from the vmlinux's path.
	Release string
	// Path is the vmlinux's path inside the package.
	Path string
	// Source names the package (see Package.Source).
	Source string
	// ELF is the vmlinux.
	ELF []byte
}

// VmlinuxRelease tells whether a path inside a package is a kernel image
// with debug information, and the release in its name. It knows the
// layouts of Debian and Ubuntu (usr/lib/debug/boot/vmlinux-RELEASE), of
// SUSE (usr/lib/debug/boot/vmlinux-RELEASE.debug) and of the other RPM
// distributions (usr/lib/debug/lib/modules/RELEASE/vmlinux).
func VmlinuxRelease(name string) (string, bool) {
	name = cleanName(name)
	dir, file := name, ""
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		dir, file = name[:i], name[i+1:]
	} else {
		return "", false
	}
	var rel string
	switch {
	case strings.HasPrefix(file, "vmlinux-") && (dir == "boot" || strings.HasSuffix(dir, "/boot")):
		// SUSE's debuginfo packages name it vmlinux-<release>.debug
		// (aquasecurity/btfhub pkg/pkg/suse.go notes the same path).
		rel = strings.TrimSuffix(strings.TrimPrefix(file, "vmlinux-"), ".debug")
	case file == "vmlinux":
		d, r, ok := cutLast(dir)
		if !ok || !(d == "lib/modules" || strings.HasSuffix(d, "/lib/modules")) {
			return "", false
		}
		rel = r
	default:
		return "", false
	}
	if !ValidRelease(rel) {
		return "", false
	}
	return rel, true
}

func cutLast(s string) (string, string, bool) {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// ValidRelease reports whether s is usable as a kernel release and as a
// file name: 1 to 255 bytes of letters, digits and "._+~-", not starting
// with a dot.
func ValidRelease(s string) bool {
	if s == "" || len(s) > 255 || s[0] == '.' {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.' || c == '_' || c == '+' || c == '~' || c == '-':
		default:
			return false
		}
	}
	return true
}

// ReadVmlinux reads a package from r and returns its first vmlinux,
// without reading the payload beyond it. name labels errors.
func ReadVmlinux(r io.Reader, name string, lim Limits) (*Kernel, error) {
	p, err := Open(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer p.Close()
	for {
		e, err := p.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("%s: %w", name, ErrNoVmlinux)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		rel, ok := VmlinuxRelease(e.Name)
		if !ok || !e.IsRegular() {
			continue
		}
		data, err := e.ReadAll(lim)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return &Kernel{Release: rel, Path: e.Name, Source: p.Source(), ELF: data}, nil
	}
}
