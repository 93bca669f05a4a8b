package apt

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/btfhub/btfhub/repo"
)

// realRelease is the head of Debian's trixie-security Release (the
// signed text of its InRelease), with a few of its SHA256 entries.
const realRelease = `Origin: Debian
Label: Debian-Security
Suite: stable-security
Version: 13
Codename: trixie-security
Date: Sun, 06 Dec 2026 02:54:30 UTC
Valid-Until: Sun, 13 Dec 2026 02:54:30 UTC
Acquire-By-Hash: yes
Architectures: amd64 arm64 armel armhf i386 ppc64el riscv64 s390x
Components: updates/main updates/contrib updates/non-free-firmware updates/non-free
Description: Debian 13 - Security Updates
MD5Sum:
 d41d8cd98f00b204e9800998ecf8427e        0 contrib/Contents-amd64
SHA256:
 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855        0 contrib/Contents-amd64
 23fd273c3128a6b1febbf32e0c6851626b43b0115c0057a50f97b50a9ebf8b26  2291031 main/binary-amd64/Packages
 bb9c0715a28d6e85ce607e1489b46f50e167185f10778f78a60a91a413ca97ca   315892 main/binary-amd64/Packages.xz
 8d0a2d23a3fd25f3ada1f03cce8658179508928e0955f3412bf3d6461b2524f9  2328946 main/binary-arm64/Packages
 630d5fd41c8816f57c4d86c22d4a142f8a55f9ecc09aabe457c1daa2357e49e6   317196 main/binary-arm64/Packages.xz
`

func TestParseReleaseReal(t *testing.T) {
	rel, err := parseRelease(strings.NewReader(realRelease), "InRelease")
	if err != nil {
		t.Fatal(err)
	}
	if rel.origin != "Debian" || rel.label != "Debian-Security" || rel.suite != "stable-security" || rel.version != "13" || rel.codename != "trixie-security" {
		t.Errorf("names: %+v", rel)
	}
	if want := time.Date(2026, 12, 13, 2, 54, 30, 0, time.UTC); !rel.validUntil.Equal(want) {
		t.Errorf("Valid-Until = %v, want %v", rel.validUntil, want)
	}
	if want := time.Date(2026, 12, 6, 2, 54, 30, 0, time.UTC); !rel.date.Equal(want) {
		t.Errorf("Date = %v, want %v", rel.date, want)
	}
	if len(rel.archs) != 8 || rel.archs[1] != "arm64" || !slices.Contains(rel.components, "updates/main") {
		t.Errorf("archs %q, components %q", rel.archs, rel.components)
	}
	if len(rel.files) != 5 {
		t.Errorf("%d files, want 5", len(rel.files))
	}
	want := fileEntry{size: 315892, sha256: "bb9c0715a28d6e85ce607e1489b46f50e167185f10778f78a60a91a413ca97ca"}
	if got := rel.files["main/binary-amd64/Packages.xz"]; got != want {
		t.Errorf("entry %+v, want %+v", got, want)
	}
	if got := listedIndexes(rel, "main", "amd64"); !slices.Equal(got, []string{"main/binary-amd64/Packages.xz", "main/binary-amd64/Packages"}) {
		t.Errorf("listedIndexes = %q", got)
	}
	if got := listedIndexes(rel, "contrib", "amd64"); got != nil {
		t.Errorf("listedIndexes(contrib) = %q", got)
	}
}

func TestParseReleaseForms(t *testing.T) {
	const sum = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
	tests := []struct {
		name, text string
		err        string // "" for none
	}{
		{"minimal", "SHA256:\n " + sum + " 0 main/binary-amd64/Packages\n", ""},
		{"one-digit day", "Date: Mon, 2 Jan 2006 15:04:05 UTC\nSHA256:\n", ""},
		{"numeric zone", "Date: Mon, 02 Jan 2006 15:04:05 +0000\nSHA256:\n", ""},
		{"comment and blank lines", "\n# signed text\nSHA256:\n\n", ""},
		{"empty", "", "empty Release file"},
		{"no SHA256", "Origin: Debian\nMD5Sum:\n d41d8cd98f00b204e9800998ecf8427e 0 x\n", "no SHA256 field"},
		{"bad date", "Date: yesterday\nSHA256:\n", "line 1: Date: not an RFC 1123 date"},
		{"bad valid-until", "Valid-Until: 2026-12-13\nSHA256:\n", "Valid-Until: not an RFC 1123 date"},
		{"short hash", "SHA256:\n abc 0 x\n", "line 2: SHA256 entry for \"x\": SHA-256 \"abc\" is not 64 hex digits"},
		{"bad hex", "SHA256:\n " + strings.Repeat("g", 64) + " 0 x\n", "is not 64 hex digits"},
		{"bad size", "SHA256:\n " + sum + " -1 x\n", "bad size \"-1\""},
		{"huge size", "SHA256:\n " + sum + " 99999999999999999999 x\n", "bad size"},
		{"two words", "SHA256:\n " + sum + " 0\n", "is not \"hash size path\""},
		{"duplicate", "SHA256:\n " + sum + " 0 x\n " + sum + " 1 x\n", "line 3: SHA256 entry for \"x\" given twice"},
		{"two paragraphs", "SHA256:\n\nOrigin: x\n", "line 3: a second paragraph"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rel, err := parseRelease(strings.NewReader(tc.text), "Release")
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range rel.files {
					if f.sha256 != strings.ToLower(sum) {
						t.Errorf("hash not lower-cased: %s", f.sha256)
					}
				}
				return
			}
			if !errors.Is(err, repo.ErrMetadata) || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "Release") {
				t.Fatalf("err = %v, want ErrMetadata with %q", err, tc.err)
			}
		})
	}
}

func TestArchiveKey(t *testing.T) {
	tests := []struct {
		origin, version, codename string
		distro, distroVersion     string
	}{
		{"Debian", "12.15", "bookworm", "debian", "12"},
		{"Debian", "13", "trixie-security", "debian", "13"},
		{"Debian", "12-updates", "bookworm-updates", "debian", "12"},
		{"Debian", "", "bookworm-security", "debian", "bookworm"},
		{"Debian", "", "sid", "debian", "sid"},
		{"Debian Backports", "", "bookworm-backports", "debianbackports", "bookworm"},
		{"Ubuntu", "20.04", "focal", "ubuntu", "20.04"},
		{"Ubuntu", "", "noble-proposed", "ubuntu", "noble"},
		{"Linux Mint", "21.3", "virginia", "linuxmint", "21"},
		{"My_Repo/2", "1-2", "x", "my_repo2", "1"},
	}
	for _, tc := range tests {
		d := distroID(tc.origin)
		v := distroVersion(d, tc.version, tc.codename)
		if d != tc.distro || v != tc.distroVersion {
			t.Errorf("%q %q %q: %q %q, want %q %q", tc.origin, tc.version, tc.codename, d, v, tc.distro, tc.distroVersion)
		}
	}
	for arch, want := range map[string]string{"amd64": "x86_64", "arm64": "arm64", "i386": "", "all": "", "": ""} {
		if got := kernelArch(arch); got != want {
			t.Errorf("kernelArch(%q) = %q, want %q", arch, got, want)
		}
	}
	for _, bad := range []string{"", ".", "..", "a/b", "a b", strings.Repeat("x", 65)} {
		if checkKeyPart("distro", bad) == nil {
			t.Errorf("checkKeyPart(%q) accepted", bad)
		}
	}
}
