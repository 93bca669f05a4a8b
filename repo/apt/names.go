package apt

import "strings"

// maxReleaseLen bounds a kernel release taken from a package name.
const maxReleaseLen = 255

// debugFamilies are the name patterns of kernel debug packages: a prefix
// and a suffix around the kernel release. The longer prefix comes first.
var debugFamilies = []struct{ prefix, suffix string }{
	{"linux-image-unsigned-", "-dbgsym"}, // Ubuntu
	{"linux-image-", "-dbgsym"},          // Ubuntu
	{"linux-image-", "-dbg"},             // Debian
}

// debugRelease returns the middle part of name when name is of a kernel
// debug package family (see debugFamilies), and whether it is.
func debugRelease(name string) (string, bool) {
	for _, f := range debugFamilies {
		if len(name) > len(f.prefix)+len(f.suffix) && strings.HasPrefix(name, f.prefix) && strings.HasSuffix(name, f.suffix) {
			return name[len(f.prefix) : len(name)-len(f.suffix)], true
		}
	}
	return "", false
}

// isKernelRelease tells whether rel, the middle part of a kernel debug
// package's name, is a kernel release (as uname -r gives it) rather than
// the flavour of a meta package. A release:
//
//   - starts with a digit and holds only letters, digits and "._+~-",
//     at most 255 of them;
//   - begins with a kernel version of three numbers ("6.1.0", then the
//     end or one of "-+~."), or of two numbers followed by a separator
//     and a number ("3.0-1").
//
// So linux-image-amd64-dbg ("amd64") and linux-image-6.12-amd64-dbg
// ("6.12-amd64", the meta package of the 6.12 series) are meta packages,
// while linux-image-6.1.0-53-cloud-amd64-dbg,
// linux-image-6.12.107+deb13-amd64-dbg, linux-image-6.11.10-amd64-dbg,
// linux-image-5.15.0-91-generic-dbgsym and
// linux-image-unsigned-6.8.0-31-generic-dbgsym are real. A package whose
// Description calls it a meta-package is one whatever its name (see
// isMetaDescription).
func isKernelRelease(rel string) bool {
	if rel == "" || len(rel) > maxReleaseLen || !isDigit(rel[0]) {
		return false
	}
	for i := 0; i < len(rel); i++ {
		if !isReleaseByte(rel[i]) {
			return false
		}
	}
	rest, ok := number(rel)
	if !ok || !strings.HasPrefix(rest, ".") {
		return false
	}
	if rest, ok = number(rest[1:]); !ok {
		return false
	}
	if strings.HasPrefix(rest, ".") {
		if rest, ok = number(rest[1:]); !ok {
			return false
		}
		return rest == "" || strings.ContainsRune("-+~.", rune(rest[0]))
	}
	// Two numbers: a separator and a number must follow.
	return len(rest) >= 2 && strings.ContainsRune("-+~.", rune(rest[0])) && isDigit(rest[1])
}

// number consumes the decimal digits at the start of s.
func number(s string) (rest string, ok bool) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[i:], i > 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isReleaseByte tells whether c may be part of a kernel release.
func isReleaseByte(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || strings.IndexByte("._+~-", c) >= 0
}

// isMetaDescription tells whether a package's Description calls it a
// meta package, as Debian's do ("Debugging symbols for Linux amd64
// configuration (meta-package)").
func isMetaDescription(desc string) bool {
	first, _, _ := strings.Cut(desc, "\n")
	first = strings.ToLower(first)
	return strings.Contains(first, "meta-package") || strings.Contains(first, "metapackage") || strings.Contains(first, "meta package")
}
