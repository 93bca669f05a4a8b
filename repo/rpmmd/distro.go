package rpmmd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/btfhub/btfhub/repo"
)

// cpeDistros maps the vendor:product of a CPE name to an os-release ID.
var cpeDistros = map[string]string{
	"fedoraproject:fedora":    "fedora",
	"centos:centos":           "centos",
	"redhat:enterprise_linux": "rhel",
	"oracle:linux":            "ol",
	"amazon:amazon_linux":     "amzn",
	"almalinux:almalinux":     "almalinux",
	"rocky:rocky":             "rocky",
	"suse:sles":               "sles",
	"opensuse:leap":           "opensuse-leap",
}

// parseCPE maps a CPE name of a repository's <distro> tag
// ("cpe:/o:redhat:enterprise_linux:9::baseos", or in CPE 2.3 form
// "cpe:2.3:o:redhat:enterprise_linux:9:...") to an os-release ID and
// version. The version is the major part of the CPE's, except for SUSE,
// whose archive versions name the service pack as os-release does
// ("cpe:/o:suse:sles:15:sp4" is "15.4", "cpe:/o:opensuse:leap:15.4" is
// "15.4"); the CPEs of SLE's modules ("cpe:/o:suse:sle-module-basesystem:15:sp4")
// are those of SLES. ok is false for a CPE of another vendor or product.
func parseCPE(cpe string) (distro, version string, ok bool) {
	var f []string
	switch {
	case strings.HasPrefix(cpe, "cpe:/"):
		f = strings.Split(strings.TrimPrefix(cpe, "cpe:/"), ":")
	case strings.HasPrefix(cpe, "cpe:2.3:"):
		f = strings.Split(strings.TrimPrefix(cpe, "cpe:2.3:"), ":")
	default:
		return "", "", false
	}
	if len(f) < 3 || f[0] != "o" {
		return "", "", false
	}
	vp := strings.ToLower(f[1] + ":" + f[2])
	distro, ok = cpeDistros[vp]
	if !ok && strings.HasPrefix(vp, "suse:sle-module-") {
		// SLE's modules (sle-module-basesystem) ship the SLES kernel.
		distro, ok = "sles", true
	}
	if !ok {
		return "", "", false
	}
	if len(f) > 3 && f[3] != "*" && f[3] != "-" {
		version = f[3]
	}
	if isSUSE(distro) {
		if len(f) > 4 && strings.HasPrefix(strings.ToLower(f[4]), "sp") && version != "" && !strings.Contains(version, ".") {
			version += "." + f[4][2:]
		}
	} else if i := strings.IndexByte(version, '.'); i >= 0 {
		version = version[:i]
	}
	if version != "" && !validKeyPart(version) {
		version = ""
	}
	return distro, version, true
}

// tagKey maps a dist tag to an os-release ID and version; hint says,
// when they are empty, why the tag does not tell them.
func tagKey(tag distTag) (distro, version, hint string) {
	n := strconv.Itoa(tag.major)
	switch {
	case tag.family == "fc":
		return "fedora", n, ""
	case tag.family == "amzn" && (tag.major == 2 || tag.major >= 2022):
		return "amzn", n, ""
	case tag.family == "amzn":
		return "amzn", "", fmt.Sprintf("dist tag %q does not name the Amazon Linux version", tag.text)
	case tag.family == "el" && tag.uek:
		return "ol", n, ""
	case tag.family == "el":
		return "", n, fmt.Sprintf("dist tag %q is shared by RHEL, CentOS, AlmaLinux, Rocky and Oracle Linux", tag.text)
	case tag.family == "eln":
		return "", "", fmt.Sprintf("dist tag %q is Fedora ELN, which has no archive version", tag.text)
	}
	return "", "", "the release has no dist tag (.fcNN, .elN, .amznN)"
}

// suseVersion reads the SUSE Linux Enterprise version that a SUSE
// kernel release encodes in its first part: 150400 is 15 SP4, "15.4";
// and openSUSE Leap's: lp152 is "15.2".
func suseVersion(rel string) string {
	first, _, _ := strings.Cut(rel, ".")
	if d, ok := strings.CutPrefix(first, "lp"); ok {
		if _, err := strconv.Atoi(d); err != nil || len(d) != 3 {
			return ""
		}
		return d[:2] + "." + d[2:]
	}
	if len(first) != 6 {
		return ""
	}
	n, err := strconv.Atoi(first)
	if err != nil || n/10000 < 11 {
		return ""
	}
	return strconv.Itoa(n/10000) + "." + strconv.Itoa(n/100%100)
}

// keyer gives packages their archive distro and version.
type keyer struct {
	// distro and version are the caller's, which win.
	distro, version string
	// cpeDistro and cpeVersion are the repository's <distro> tag's.
	cpeDistro, cpeVersion string
}

func newKeyer(r *Repo, cpes []string) keyer {
	k := keyer{distro: r.Distro, version: r.Version}
	for _, cpe := range cpes {
		if d, v, ok := parseCPE(cpe); ok {
			k.cpeDistro, k.cpeVersion = d, v
			break
		}
	}
	return k
}

// distroOf is the distribution the packages belong to as far as the
// repository as a whole tells: the caller's, else the CPE's.
func (k keyer) distroOf() string {
	if k.distro != "" {
		return k.distro
	}
	return k.cpeDistro
}

// key returns the archive distro and version of a package with release
// rel, SUSE-style or not. Errors wrap repo.ErrMetadata, name the
// package and say which flag to pass.
func (k keyer) key(nevra, rel string, suse bool) (distro, version string, err error) {
	distro, version = k.distro, k.version
	if distro == "" {
		distro = k.cpeDistro
	}
	if version == "" && k.cpeDistro != "" && (k.distro == "" || k.distro == k.cpeDistro) {
		version = k.cpeVersion
	}
	if distro != "" && version != "" {
		return distro, version, nil
	}
	var hint string
	if suse {
		if version == "" {
			version = suseVersion(rel)
		}
		if distro == "" && strings.HasPrefix(rel, "lp") {
			distro = "opensuse-leap"
		}
		hint = "a SUSE kernel release does not tell SLES from openSUSE Leap"
		if version == "" {
			hint = "the SUSE kernel release does not tell the distribution version"
		}
	} else {
		var d, v string
		d, v, hint = tagKey(parseDistTag(rel))
		if distro == "" {
			distro = d
		}
		if version == "" {
			version = v
		}
	}
	var missing []string
	if distro == "" {
		missing = append(missing, "--distro")
	}
	if version == "" {
		missing = append(missing, "--version")
	}
	if len(missing) > 0 {
		return "", "", fmt.Errorf("%w: %s: %s and the repository has no <distro cpeid> tag that does: pass %s",
			repo.ErrMetadata, nevra, hint, strings.Join(missing, " and "))
	}
	return distro, version, nil
}

// validKeyPart tells whether s is usable as a distro or version
// directory of the archive: 1 to 64 bytes of letters, digits and "._-",
// not starting with a dot.
func validKeyPart(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '.' {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.' || c == '_' || c == '-':
		default:
			return false
		}
	}
	return true
}
