package apt

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/repo"
)

// realPackages are stanzas of Debian's trixie and bookworm main/amd64
// Packages indexes, without their Maintainer fields.
const realPackages = `Package: bash
Source: bash (5.2.15-2)
Version: 5.2.15-2+b13
Essential: yes
Installed-Size: 7164
Architecture: amd64
Replaces: bash-completion (<< 20060301-0), bash-doc (<= 2.05-1)
Depends: base-files (>= 2.1.12), debianutils (>= 5.6-0.1)
Pre-Depends: libc6 (>= 2.36), libtinfo6 (>= 6)
Recommends: bash-completion (>= 20060301-0)
Suggests: bash-doc
Conflicts: bash-completion (<< 20060301-0)
Description: GNU Bourne Again SHell
Multi-Arch: foreign
Description-md5: 3522aa7b4374048d6450e348a5bb45d9
Tag: admin::TODO, devel::TODO, devel::interpreter, implemented-in::c,
 interface::shell, interface::text-mode, role::program,
 scope::application, suite::gnu, uitoolkit::ncurses
Section: shells
Priority: required
Filename: pool/main/b/bash/bash_5.2.15-2+b13_amd64.deb
Size: 1490652
MD5sum: f973a067908f9c7579d30deddd8301ed
SHA256: 82130bb6a560cd2a7234d8018baf73f188f5dd56413d5aa0accc987b2197a6a1

Package: linux-image-6.12.117+deb13-amd64-dbg
Source: linux
Version: 6.12.117-1
Installed-Size: 6810706
Architecture: amd64
Description: Debug symbols for linux-image-6.12.117+deb13-amd64
Description-md5: 27866c522e10c0228f83af0888fbc071
Section: debug
Priority: optional
Filename: pool/main/l/linux/linux-image-6.12.117+deb13-amd64-dbg_6.12.117-1_amd64.deb
Size: 1041404444
MD5sum: 84d3acf76022eec85a0b13131037ec98
SHA256: 92537ddee62d004a3fe316373d75cba68f8eda1fe975b05968ac5dd5848b1ffa

Package: linux-image-amd64-dbg
Source: linux
Version: 6.12.117-1
Installed-Size: 10
Architecture: amd64
Provides: linux-latest-image-dbg
Depends: linux-image-6.12.117+deb13-amd64-dbg (= 6.12.117-1)
Description: Debugging symbols for Linux amd64 configuration (meta-package)
Description-md5: cef66019bff5137491f4d86a25f6417d
Section: kernel
Priority: optional
Filename: pool/main/l/linux/linux-image-amd64-dbg_6.12.117-1_amd64.deb
Size: 1168
MD5sum: 4774cbf16f1311ced1eae8cdca8acf92
SHA256: b7d74bd0e01d8dfb83f53197d8eefc49147293568f79403a61950556e857e10e

Package: linux-image-6.1.0-50-cloud-amd64-dbg
Source: linux
Version: 6.1.176-1
Installed-Size: 1744508
Architecture: amd64
Description: Debug symbols for linux-image-6.1.0-50-cloud-amd64
Description-md5: 8f36c86b4350429fd300fafaaa7094f5
Section: debug
Priority: optional
Filename: pool/main/l/linux/linux-image-6.1.0-50-cloud-amd64-dbg_6.1.176-1_amd64.deb
Size: 281755500
MD5sum: 4d4414307c5e9cf9bf17fda00985731e
SHA256: 4657321b206b13f95d21d23c4644636f14b2acfaeed9375a4b5e200fe1a9c0d9
`

// describeCandidate prints what a candidate is, on one line.
func describeCandidate(c candidate) string {
	switch {
	case c.pkg != nil:
		p := c.pkg
		return fmt.Sprintf("pkg %s %s %s %d %s", p.Source(), p.Release, p.URL, p.Size, p.SHA256[:8])
	case c.skipped != nil:
		return fmt.Sprintf("skip %s (%s) %s", c.skipped.Name, c.skipped.Reason, c.warning)
	}
	return "warn " + c.warning
}

func TestParsePackagesReal(t *testing.T) {
	var got []string
	err := parsePackages(context.Background(), strings.NewReader(realPackages), "Packages", "http://repo.invalid/debian/", func(c candidate) {
		got = append(got, describeCandidate(c))
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"pkg linux-image-6.12.117+deb13-amd64-dbg_6.12.117-1_amd64 6.12.117+deb13-amd64 http://repo.invalid/debian/pool/main/l/linux/linux-image-6.12.117+deb13-amd64-dbg_6.12.117-1_amd64.deb 1041404444 92537dde",
		"skip linux-image-amd64-dbg_6.12.117-1_amd64 (meta package) ",
		"pkg linux-image-6.1.0-50-cloud-amd64-dbg_6.1.176-1_amd64 6.1.0-50-cloud-amd64 http://repo.invalid/debian/pool/main/l/linux/linux-image-6.1.0-50-cloud-amd64-dbg_6.1.176-1_amd64.deb 281755500 4657321b",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParsePackagesStanzas(t *testing.T) {
	const name = "linux-image-6.1.0-47-amd64-dbg"
	tests := []struct {
		name, text string
		want       string // describeCandidate's, "" for nothing
		err        string // "" for none
	}{
		{"good", stanza(name, "6.1.170-1", "amd64"), "pkg " + name + "_6.1.170-1_amd64", ""},
		{"upper-case hash", stanza(name, "1", "amd64", "SHA256: "+strings.Repeat("AB", 32)), "pkg ", ""},
		{"arch all", stanza(name, "1", "all"), "", ""},
		{"meta by name", stanza("linux-image-6.12-amd64-dbg", "1", "amd64"), "skip linux-image-6.12-amd64-dbg_1_amd64 (meta package)", ""},
		{"meta by description", stanza(name, "1", "amd64", metaDescription), "skip " + name + "_1_amd64 (meta package)", ""},
		{"no SHA256", stanza(name, "1", "amd64", "SHA256:"), "skip " + name + "_1_amd64 (no usable SHA256) Packages: line 1: " + name + ": no SHA256 field; passed over", ""},
		{"bad SHA256", stanza(name, "1", "amd64", "SHA256: abc"), "skip " + name + "_1_amd64 (no usable SHA256)", ""},
		{"no Size", stanza(name, "1", "amd64", "Size:"), "skip " + name + "_1_amd64 (no usable Size)", ""},
		{"zero Size", stanza(name, "1", "amd64", "Size: 0"), "skip " + name + "_1_amd64 (no usable Size)", ""},
		{"no Version", stanza(name, "", "amd64"), "warn Packages: line 1: " + name + ": Version missing; passed over", ""},
		{"slash Arch", stanza(name, "1", "amd/64"), "warn Packages: line 1: " + name + ": Architecture \"amd/64\" has a byte '/'", ""},
		{"query Filename", stanza(name, "1", "amd64", "Filename: pool/x.deb?y"), "skip " + name + "_1_amd64 (no usable Filename)", ""},
		{"dotdot Filename", stanza(name, "1", "amd64", "Filename: pool/../../x.deb"), "", "line 7: " + name + ": Filename: path climbs out"},
		{"absolute Filename", stanza(name, "1", "amd64", "Filename: /x.deb"), "", "Filename: not a relative path"},
		{"URL Filename", stanza(name, "1", "amd64", "Filename: http://evil/x.deb"), "", "Filename: not a relative path"},
		{"not deb822", "Package: x\nnonsense\n", "", "line 2: not a field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			err := parsePackages(context.Background(), strings.NewReader(tc.text), "Packages", "http://repo.invalid/d", func(c candidate) {
				got = append(got, describeCandidate(c))
			})
			if tc.err != "" {
				if !errors.Is(err, repo.ErrMetadata) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want ErrMetadata with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if len(got) != 0 {
					t.Errorf("got %q, want nothing", got)
				}
				return
			}
			if len(got) != 1 || !strings.HasPrefix(got[0], tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParsePackagesCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := parsePackages(ctx, strings.NewReader(realPackages), "Packages", "http://repo.invalid/", func(candidate) {})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}
