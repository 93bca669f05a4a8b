package apt

import (
	"fmt"
	"strings"
)

// maxKeyPartLen bounds a distro or version name of the archive key.
const maxKeyPartLen = 64

// distroID turns a Release's Origin into an os-release ID: "Debian" is
// "debian", "Ubuntu" is "ubuntu", and any other origin is lower-cased
// with the bytes that are not [a-z0-9._+~-] dropped.
func distroID(origin string) string {
	var b strings.Builder
	for i := 0; i < len(origin); i++ {
		c := origin[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if isKeyByte(c) {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// isKeyByte tells whether c may be part of a distro or version name.
func isKeyByte(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || strings.IndexByte("._+~-", c) >= 0
}

// suiteSuffixes are the suffixes of codenames of update suites.
var suiteSuffixes = []string{"-security", "-updates", "-backports", "-proposed"}

// distroVersion is the archive key's version of a suite: for Ubuntu, the
// Release's Version whole ("20.04"); otherwise its major part, before
// the first '.' or '-' ("13.2" is "13", "12-updates" is "12"); without a
// Version, the Codename without a -security, -updates, -backports or
// -proposed suffix ("bookworm-security" is "bookworm").
func distroVersion(distro, version, codename string) string {
	if version == "" {
		for _, s := range suiteSuffixes {
			if strings.HasSuffix(codename, s) {
				return strings.TrimSuffix(codename, s)
			}
		}
		return codename
	}
	if distro == "ubuntu" {
		return version
	}
	if i := strings.IndexAny(version, ".-"); i >= 0 {
		return version[:i]
	}
	return version
}

// checkKeyPart checks that a distro or version name, of which what says
// what it is, is safe as a path element of the archive.
func checkKeyPart(what, s string) error {
	if s == "" || s == "." || s == ".." || len(s) > maxKeyPartLen {
		return fmt.Errorf("%s %q is not a usable archive directory name", what, s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isKeyByte(c) && !('A' <= c && c <= 'Z') {
			return fmt.Errorf("%s %q has a byte other than letters, digits and \"._+~-\"", what, s)
		}
	}
	return nil
}

// kernelArch is the archive's arch directory of a Debian architecture,
// or "" for one the archive does not hold.
func kernelArch(debArch string) string {
	switch debArch {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "arm64"
	}
	return ""
}
