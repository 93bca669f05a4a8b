package rpmmd

import (
	"strconv"
	"strings"
)

// distTag is the distribution tag of an RPM release: "el9_0" in
// "70.13.1.el9_0", "fc39" in "300.fc39", "el8uek" in "2136.324.5.3.el8uek".
type distTag struct {
	// family is "fc", "el", "eln" or "amzn"; "" when the release has no
	// tag.
	family string
	// major is the number after the family (9 for el9_0, 2023 for
	// amzn2023).
	major int
	// uek is set for Oracle's Unbreakable Enterprise Kernel tags
	// (el8uek).
	uek bool
	// text is the tag as it stands in the release.
	text string
}

// parseDistTag finds the dist tag of an RPM release: the last
// dot-separated part that is a known family followed by a number.
func parseDistTag(rel string) distTag {
	parts := strings.Split(rel, ".")
	for i := len(parts) - 1; i >= 0; i-- {
		part := parts[i]
		for _, fam := range []string{"amzn", "eln", "fc", "el"} {
			rest, ok := strings.CutPrefix(part, fam)
			if !ok {
				continue
			}
			n := 0
			for n < len(rest) && n < 6 && rest[n] >= '0' && rest[n] <= '9' {
				n++
			}
			if n == 0 {
				continue
			}
			major, _ := strconv.Atoi(rest[:n])
			return distTag{family: fam, major: major, uek: strings.Contains(rest[n:], "uek"), text: part}
		}
	}
	return distTag{}
}

// suseStyle tells whether a kernel package is built the SUSE way, which
// names releases after the flavour: the distro says so, or, with no
// distro known, the package has a flavour and its release has no dist
// tag, and either has only numbers (150400.24.46.1), or is an openSUSE
// Leap one (lp152.106.1), or the flavour is one only SUSE has (default,
// azure, preempt, kvmsmall, 64kb, ...).
func suseStyle(distro, flavour, rel string) bool {
	if flavour == "" || strings.Contains(flavour, "uek") {
		return false
	}
	if distro != "" {
		return isSUSE(distro)
	}
	if parseDistTag(rel).family != "" || rel == "" {
		return false
	}
	if strings.HasPrefix(rel, "lp") && len(rel) > 2 && rel[2] >= '0' && rel[2] <= '9' {
		return true
	}
	for _, part := range strings.Split(flavour, "-") {
		if suseFlavours[part] {
			return true
		}
	}
	for _, c := range []byte(rel) {
		if c != '.' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// suseFlavours are the kernel flavours that only SUSE builds.
var suseFlavours = map[string]bool{
	"default": true, "azure": true, "preempt": true, "kvmsmall": true,
	"vanilla": true, "rt_debug": true, "64kb": true,
}

// isSUSE tells whether an os-release ID is that of a SUSE distribution.
func isSUSE(distro string) bool {
	return distro == "sles" || distro == "sled" || strings.HasPrefix(distro, "opensuse") ||
		distro == "sle-micro" || distro == "sl-micro"
}

// predictRelease returns the kernel release (uname -r) of the kernel in
// a kernel debuginfo package, from the package's flavour (as kernelName
// gives it), version, release and arch. The rules:
//
// SUSE (suse set): "VERSION-RELEASE-FLAVOUR" with the release's last
// dot-separated part (the rebuild counter) dropped:
// kernel-default-debuginfo 5.14.21-150400.24.46.1 is
// "5.14.21-150400.24.46-default".
//
// Everything else, as Fedora's and RHEL's kernel.spec name kernels:
// "VERSION-RELEASE.ARCH", then the flavour without "uek" (Oracle's UEK
// is its own package, not a flavour of the kernel's name), with a
// separator that the release's dist tag decides:
//   - .fcNN, .amznN, .elN with N >= 9, and no tag: "+FLAVOUR"
//     (5.14.0-70.13.1.rt21.83.el9_0.x86_64+rt, 6.5.6-300.fc39.x86_64+debug,
//     5.14.0-284.11.1.el9_2.aarch64+64k-debug).
//   - .el8: the realtime kernel is its own build, so "rt" is not part of
//     the name; debug and 64k are "+FLAVOUR"
//     (4.18.0-305.rt7.72.el8.x86_64, 4.18.0-305.rt7.72.el8.x86_64+debug).
//   - .el7 and older: as el8, but with "." (3.10.0-1160.el7.x86_64.debug).
func predictRelease(flavour, ver, rel, arch string, suse bool) string {
	if suse {
		if i := strings.LastIndexByte(rel, '.'); i > 0 {
			rel = rel[:i]
		}
		return ver + "-" + rel + "-" + flavour
	}
	base := ver + "-" + rel + "." + arch
	tag := parseDistTag(rel)
	var parts []string
	for _, part := range strings.Split(flavour, "-") {
		if part == "" || part == "uek" || (part == "rt" && tag.family == "el" && tag.major <= 8) {
			continue
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return base
	}
	sep := "+"
	if tag.family == "el" && tag.major <= 7 {
		sep = "."
	}
	return base + sep + strings.Join(parts, "-")
}
