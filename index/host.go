package index

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/btfhub/btfhub/internal/safefs"
)

// Host describes the machine whose BTF is wanted.
type Host struct {
	// ID, VersionID and VersionCodename are os-release's ID,
	// VERSION_ID and VERSION_CODENAME.
	ID, VersionID, VersionCodename string
	// Release and Machine are uname's release and machine.
	Release, Machine string
}

// ParseOSRelease reads the KEY=value lines of an os-release file,
// unquoting values (see os-release(5)).
func ParseOSRelease(data []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			if v[0] == '"' {
				if u, err := strconv.Unquote(v); err == nil {
					v = u
				} else {
					v = v[1 : len(v)-1]
				}
			} else {
				v = v[1 : len(v)-1]
			}
		}
		out[k] = v
	}
	return out
}

// HostSources says where ReadHost finds the host's facts. Empty fields
// mean the running system.
type HostSources struct {
	// OSRelease is the os-release file (default /etc/os-release, then
	// /usr/lib/os-release).
	OSRelease string
	// Release and Machine replace uname's.
	Release, Machine string
}

// maxOSRelease bounds the os-release file ReadHost reads.
const maxOSRelease = 64 << 10

// ReadHost gathers the host's os-release and uname facts. The os-release
// file must be a regular file (a link to one is followed) of at most
// 64 KiB.
func ReadHost(src HostSources) (Host, error) {
	var h Host
	paths := []string{"/etc/os-release", "/usr/lib/os-release"}
	if src.OSRelease != "" {
		paths = []string{src.OSRelease}
	}
	var err error
	for _, p := range paths {
		var data []byte
		data, err = safefs.ReadInput(p, maxOSRelease)
		if err == nil {
			kv := ParseOSRelease(data)
			h.ID, h.VersionID, h.VersionCodename = kv["ID"], kv["VERSION_ID"], kv["VERSION_CODENAME"]
			break
		}
	}
	if err != nil {
		return h, fmt.Errorf("reading os-release: %w", err)
	}
	h.Release, h.Machine = src.Release, src.Machine
	if h.Release == "" || h.Machine == "" {
		rel, mach, err := uname()
		if err != nil {
			return h, fmt.Errorf("uname: %w", err)
		}
		if h.Release == "" {
			h.Release = rel
		}
		if h.Machine == "" {
			h.Machine = mach
		}
	}
	return h, nil
}

// codenames maps version numbers to the codenames that archives use as
// directory names, for distributions that have them.
var codenames = map[string]map[string]string{
	"debian": {"7": "wheezy", "8": "jessie", "9": "stretch", "10": "buster", "11": "bullseye", "12": "bookworm", "13": "trixie", "14": "forky"},
	"ubuntu": {"14.04": "trusty", "16.04": "xenial", "18.04": "bionic", "20.04": "focal", "22.04": "jammy", "24.04": "noble"},
}

// versionMatch tells how well an archive's version directory fits the
// host, lower being better, and says why; -1 means no match.
func versionMatch(h Host, archive string) (int, string) {
	switch {
	case archive == h.VersionID:
		return 0, fmt.Sprintf("VERSION_ID %q", h.VersionID)
	case h.VersionCodename != "" && archive == h.VersionCodename:
		return 1, fmt.Sprintf("VERSION_CODENAME %q", h.VersionCodename)
	}
	if names := codenames[h.ID]; names != nil {
		if names[h.VersionID] == archive {
			return 1, fmt.Sprintf("VERSION_ID %q is %s %q", h.VersionID, h.ID, archive)
		}
		if names[archive] != "" && names[archive] == h.VersionCodename {
			return 1, fmt.Sprintf("VERSION_CODENAME %q is %s %q", h.VersionCodename, h.ID, archive)
		}
		if names[archive] != "" && names[archive] == names[major(h.VersionID)] {
			return 2, fmt.Sprintf("VERSION_ID %q is %s %q", h.VersionID, h.ID, archive)
		}
	}
	if m := major(h.VersionID); m != h.VersionID && archive == m {
		return 2, fmt.Sprintf("VERSION_ID %q has major version %q", h.VersionID, m)
	}
	if m := major(archive); m != archive && m == h.VersionID {
		return 3, fmt.Sprintf("VERSION_ID %q is the major version of %q", h.VersionID, archive)
	}
	return -1, ""
}

// major returns the part of a version before its first dot.
func major(v string) string {
	m, _, _ := strings.Cut(v, ".")
	return m
}

// ErrNotFound is returned when no entry fits the host.
var ErrNotFound = errors.New("no BTF for this host in the archive")

// ErrAmbiguous is returned when only the release name matches, and
// entries of different distros with different BTF carry it.
var ErrAmbiguous = errors.New("several different BTF match the host's release")

// Choice is the entry chosen for a host, and why.
type Choice struct {
	Entry  Entry
	Reason string
}

// Lookup chooses the entry for host h among entries: the host's
// architecture (aarch64 is arm64) and release, preferably of its distro
// with the best-fitting version; failing that, the release name in any
// distro, as long as every entry carrying it holds the same BTF.
func Lookup(entries []Entry, h Host) (Choice, error) {
	arch := NormalizeArch(h.Machine)
	var same []Entry
	best, bestRank, bestWhy := -1, 1<<30, ""
	for _, e := range entries {
		if e.Release != h.Release || e.Arch != arch {
			continue
		}
		same = append(same, e)
		if e.Distro != h.ID {
			continue
		}
		if rank, why := versionMatch(h, e.Version); rank >= 0 && rank < bestRank {
			best, bestRank, bestWhy = len(same)-1, rank, why
		}
	}
	archWhy := fmt.Sprintf("arch %s", arch)
	if arch != h.Machine {
		archWhy = fmt.Sprintf("machine %s is arch %s", h.Machine, arch)
	}
	if best >= 0 {
		e := same[best]
		return Choice{e, fmt.Sprintf("%s: distro %q, version %q (%s), %s, release %q",
			e.Key(), h.ID, e.Version, bestWhy, archWhy, h.Release)}, nil
	}
	if len(same) == 0 {
		return Choice{}, fmt.Errorf("%w: no entry for release %q and %s (host %s %s)", ErrNotFound, h.Release, archWhy, h.ID, h.VersionID)
	}
	for _, e := range same[1:] {
		if e.XXH64 != same[0].XXH64 {
			var keys []string
			for _, e := range same {
				keys = append(keys, e.Key().String())
			}
			return Choice{}, fmt.Errorf("%w: %s (host %s %s is not in the archive)", ErrAmbiguous, strings.Join(keys, ", "), h.ID, h.VersionID)
		}
	}
	e := same[0]
	return Choice{e, fmt.Sprintf("%s: host %s %s is not in the archive; found by release %q and %s alone",
		e.Key(), h.ID, h.VersionID, h.Release, archWhy)}, nil
}
