package index

import (
	"errors"
	"strings"
	"testing"
)

func entry(distro, version, arch, release, hash string) Entry {
	return Entry{Distro: distro, Version: version, Arch: arch, Release: release, XXH64: hash,
		RawSize: 100, CompressedSize: 50, Types: 3, Encoder: "raw"}
}

const h1, h2 = "0000000000000001", "0000000000000002"

// archiveEntries mimics btfhub-archive's naming.
var archiveEntries = []Entry{
	entry("centos", "7", "x86_64", "3.10.0-1160.el7.x86_64", h1),
	entry("centos", "7", "arm64", "4.18.0-193.el7.aarch64", h1),
	entry("centos", "8", "x86_64", "4.18.0-348.el8.x86_64", h1),
	entry("debian", "bullseye", "x86_64", "5.10.0-20-amd64", h1),
	entry("debian", "bullseye", "arm64", "5.10.0-20-arm64", h1),
	entry("ubuntu", "20.04", "x86_64", "5.4.0-100-generic", h1),
	entry("ubuntu", "18.04", "x86_64", "5.4.0-100-generic", h2),
	entry("fedora", "34", "x86_64", "5.11.12-300.fc34.x86_64", h1),
	entry("amzn", "2", "x86_64", "4.14.214-160.339.amzn2.x86_64", h1),
	entry("rhel", "8", "x86_64", "4.18.0-348.el8.x86_64", h1),
	entry("ol", "8", "x86_64", "5.4.17-2136.el8uek.x86_64", h1),
	entry("ol", "7", "x86_64", "5.4.17-2136.el8uek.x86_64", h2),
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name string
		host Host
		want string // key, or error text
		why  string // part of the reason
	}{
		{"exact", Host{ID: "ubuntu", VersionID: "20.04", Release: "5.4.0-100-generic", Machine: "x86_64"},
			"ubuntu/20.04/x86_64/5.4.0-100-generic", `VERSION_ID "20.04"`},
		{"other version, same release", Host{ID: "ubuntu", VersionID: "18.04", Release: "5.4.0-100-generic", Machine: "x86_64"},
			"ubuntu/18.04/x86_64/5.4.0-100-generic", `VERSION_ID "18.04"`},
		{"7.9 against 7", Host{ID: "centos", VersionID: "7.9", Release: "3.10.0-1160.el7.x86_64", Machine: "x86_64"},
			"centos/7/x86_64/3.10.0-1160.el7.x86_64", `major version "7"`},
		{"aarch64 against arm64", Host{ID: "centos", VersionID: "7", Release: "4.18.0-193.el7.aarch64", Machine: "aarch64"},
			"centos/7/arm64/4.18.0-193.el7.aarch64", "machine aarch64 is arch arm64"},
		{"11 against bullseye", Host{ID: "debian", VersionID: "11", Release: "5.10.0-20-amd64", Machine: "x86_64"},
			"debian/bullseye/x86_64/5.10.0-20-amd64", `is debian "bullseye"`},
		{"codename", Host{ID: "debian", VersionID: "", VersionCodename: "bullseye", Release: "5.10.0-20-arm64", Machine: "aarch64"},
			"debian/bullseye/arm64/5.10.0-20-arm64", `VERSION_CODENAME "bullseye"`},
		{"11.6 against bullseye", Host{ID: "debian", VersionID: "11.6", Release: "5.10.0-20-amd64", Machine: "x86_64"},
			"debian/bullseye/x86_64/5.10.0-20-amd64", "bullseye"},
		{"release only", Host{ID: "rocky", VersionID: "8.5", Release: "4.18.0-348.el8.x86_64", Machine: "x86_64"},
			"centos/8/x86_64/4.18.0-348.el8.x86_64", "found by release"},
		{"distro wins over release-only", Host{ID: "rhel", VersionID: "8.5", Release: "4.18.0-348.el8.x86_64", Machine: "x86_64"},
			"rhel/8/x86_64/4.18.0-348.el8.x86_64", `major version "8"`},
		{"ambiguous", Host{ID: "linuxmint", VersionID: "20", Release: "5.4.0-100-generic", Machine: "x86_64"},
			"several different BTF", ""},
		{"wrong arch", Host{ID: "fedora", VersionID: "34", Release: "5.11.12-300.fc34.x86_64", Machine: "aarch64"},
			"no BTF for this host", ""},
		{"unknown release", Host{ID: "ubuntu", VersionID: "20.04", Release: "5.4.0-999-generic", Machine: "x86_64"},
			"no BTF for this host", ""},
		{"version mismatch falls back to release", Host{ID: "amzn", VersionID: "2023", Release: "4.14.214-160.339.amzn2.x86_64", Machine: "x86_64"},
			"amzn/2/x86_64/4.14.214-160.339.amzn2.x86_64", "found by release"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Lookup(archiveEntries, tt.host)
			if err != nil {
				if !strings.Contains(err.Error(), tt.want) || !(errors.Is(err, ErrNotFound) || errors.Is(err, ErrAmbiguous)) {
					t.Fatalf("err = %v, want %q", err, tt.want)
				}
				return
			}
			if got := c.Entry.Key().String(); got != tt.want {
				t.Fatalf("chose %s (%s), want %s", got, c.Reason, tt.want)
			}
			if !strings.Contains(c.Reason, tt.why) {
				t.Fatalf("reason %q lacks %q", c.Reason, tt.why)
			}
		})
	}
}

func TestParseOSRelease(t *testing.T) {
	kv := ParseOSRelease([]byte("# comment\nID=centos\nVERSION_ID=\"7.9\"\nNAME='CentOS Linux'\nPRETTY_NAME=\"a \\\"b\\\"\"\n\nbad line\n"))
	want := map[string]string{"ID": "centos", "VERSION_ID": "7.9", "NAME": "CentOS Linux", "PRETTY_NAME": `a "b"`}
	if len(kv) != len(want) {
		t.Fatalf("got %v", kv)
	}
	for k, v := range want {
		if kv[k] != v {
			t.Errorf("%s = %q, want %q", k, kv[k], v)
		}
	}
}

func TestNormalizeArch(t *testing.T) {
	for in, want := range map[string]string{"aarch64": "arm64", "arm64": "arm64", "x86_64": "x86_64", "amd64": "x86_64", "s390x": "s390x"} {
		if got := NormalizeArch(in); got != want {
			t.Errorf("NormalizeArch(%q) = %q, want %q", in, got, want)
		}
	}
}
