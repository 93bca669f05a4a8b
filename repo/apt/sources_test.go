package apt

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/btfhub/btfhub/repo"
)

const oneLineSample = `# See sources.list(5).
deb http://example.org/debian bookworm main contrib

deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/x.gpg] http://example.org/debian bookworm-updates main # trailing comment
deb-src http://example.org/debian bookworm main
	deb [ arch=amd64 trusted=yes ]	https://example.org/ubuntu#frag jammy main restricted
deb http://example.org/flat ./
`

const deb822Sample = `# Modernized from /etc/apt/sources.list
Types: deb deb-src
URIs: http://example.org/debian http://mirror2.example.org/debian
Suites: bookworm bookworm-updates
Components: main
Architectures: amd64
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg,
 /usr/share/keyrings/extra.gpg

Types: deb
URIs: http://example.org/off
Suites: stable
Components: main
Enabled: no

Types: deb-src
URIs: http://example.org/src
Suites: stable
Components: main
`

// describeSources prints sources, one a line.
func describeSources(ss []Source) string {
	var b strings.Builder
	for _, s := range ss {
		fmt.Fprintf(&b, "%s:%d %q %q %q %q %q %q %v\n", filepath.Base(s.File), s.Line, s.Types, s.URIs, s.Suites, s.Components, s.Archs, s.SignedBy, s.Enabled)
	}
	return b.String()
}

func TestParseSources(t *testing.T) {
	tests := []struct {
		file, text, want string
	}{
		{"sources.list", oneLineSample, `sources.list:2 ["deb"] ["http://example.org/debian"] ["bookworm"] ["main" "contrib"] [] [] true
sources.list:4 ["deb"] ["http://example.org/debian"] ["bookworm-updates"] ["main"] ["amd64" "arm64"] ["/usr/share/keyrings/x.gpg"] true
sources.list:5 ["deb-src"] ["http://example.org/debian"] ["bookworm"] ["main"] [] [] true
sources.list:6 ["deb"] ["https://example.org/ubuntu#frag"] ["jammy"] ["main" "restricted"] ["amd64"] [] true
sources.list:7 ["deb"] ["http://example.org/flat"] ["./"] [] [] [] true
`},
		{"debian.sources", deb822Sample, `debian.sources:2 ["deb" "deb-src"] ["http://example.org/debian" "http://mirror2.example.org/debian"] ["bookworm" "bookworm-updates"] ["main"] ["amd64"] ["/usr/share/keyrings/debian-archive-keyring.gpg" "/usr/share/keyrings/extra.gpg"] true
debian.sources:10 ["deb"] ["http://example.org/off"] ["stable"] ["main"] [] [] false
debian.sources:16 ["deb-src"] ["http://example.org/src"] ["stable"] ["main"] [] [] true
`},
		{"empty.list", "\n# nothing\n", ""},
		{"empty.sources", "", ""},
	}
	for _, tc := range tests {
		got, err := ParseSources(strings.NewReader(tc.text), tc.file)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if d := describeSources(got); d != tc.want {
			t.Errorf("%s:\n%s\nwant\n%s", tc.file, d, tc.want)
		}
	}
}

func TestParseSourcesErrors(t *testing.T) {
	tests := []struct{ file, text, err string }{
		{"a.list", "deb http://x\n", "a.list: line 1: no suites"},
		{"a.list", "deb http://x stable\n", "line 1: no components"},
		{"a.list", "\nrpm http://x a b\n", "line 2: type \"rpm\" is neither deb nor deb-src"},
		{"a.list", "deb [arch=amd64 http://x a b\n", "options \"[\" without \"]\""},
		{"a.list", "deb [arch] http://x a b\n", "option \"arch\" is not key=value"},
		{"a.list", "deb\n", "no URIs"},
		{"a.list", "deb " + strings.Repeat("x", 70000) + "\n", "line longer than"},
		{"a.sources", "Types: deb\nURIs: http://x\n", "a.sources: line 1: no suites"},
		{"a.sources", "URIs: http://x\nSuites: a\nComponents: main\n", "no types"},
		{"a.sources", "Types: deb\nURIs: http://x\nSuites: a\nComponents: main\nEnabled: maybe\n", "Enabled \"maybe\""},
		{"a.sources", "Types: deb\nnot a field\n", "line 2: not a field"},
		{"big.list", strings.Repeat("# comment line\n", MaxSourcesFileSize/15+1), "big.list: larger than"},
	}
	for _, tc := range tests {
		_, err := ParseSources(strings.NewReader(tc.text), tc.file)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s %.40q: err = %v, want %q", tc.file, tc.text, err, tc.err)
		}
	}
}

func TestSourceRepos(t *testing.T) {
	ss, err := ParseSources(strings.NewReader(deb822Sample), "x.sources")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := range ss {
		for _, r := range ss[i].Repos() {
			got = append(got, fmt.Sprintf("%s %q %q %q", r.URL, r.Suites, r.Components, r.Archs))
		}
	}
	want := []string{
		`http://example.org/debian ["bookworm" "bookworm-updates"] ["main"] ["amd64"]`,
		`http://mirror2.example.org/debian ["bookworm" "bookworm-updates"] ["main"] ["amd64"]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("repos:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// armoredKey returns e's public key, armored.
func armoredKey(t *testing.T, e *openpgp.Entity) []byte {
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.Serialize(w)
	w.Close()
	return b.Bytes()
}

func TestSourceKeyringInline(t *testing.T) {
	e, _ := newKey(t, "inline")
	var field strings.Builder
	field.WriteString("Signed-By:\n")
	for _, line := range strings.Split(strings.TrimSpace(string(armoredKey(t, e))), "\n") {
		if line == "" {
			line = "."
		}
		field.WriteString(" " + line + "\n")
	}
	text := "Types: deb\nURIs: http://x\nSuites: a\nComponents: main\n" + field.String()
	ss, err := ParseSources(strings.NewReader(text), "inline.sources")
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 || len(ss[0].SignedByKey) == 0 || len(ss[0].SignedBy) != 0 {
		t.Fatalf("sources: %+v", ss)
	}
	k, err := ss[0].Keyring("/nonexistent")
	if err != nil || k.Len() != 1 {
		t.Fatalf("Keyring: %v", err)
	}
}

func TestHostSources(t *testing.T) {
	root := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := newKey(t, "a")
	b, _ := newKey(t, "b")
	write("etc/apt/sources.list", "deb http://example.org/main stable main\n")
	write("etc/apt/sources.list.d/b.sources", "Types: deb\nURIs: http://example.org/b\nSuites: s\nComponents: main\nSigned-By: /keys/b.asc\n")
	write("etc/apt/sources.list.d/a.list", "deb http://example.org/a s main\n")
	write("etc/apt/sources.list.d/c.list.save", "deb http://example.org/ignored s main\n")
	write("etc/apt/sources.list.d/d e.list", "deb http://example.org/ignored s main\n")
	write("etc/apt/sources.list.d/sub.list/x", "")
	write("etc/apt/trusted.gpg.d/a.asc", string(armoredKey(t, a)))
	write("etc/apt/trusted.gpg.d/readme.txt", "not a key")
	write("keys/b.asc", string(armoredKey(t, b)))
	ss, err := HostSources(root)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, s := range ss {
		urls = append(urls, s.URIs[0])
	}
	if got := strings.Join(urls, " "); got != "http://example.org/main http://example.org/a http://example.org/b" {
		t.Errorf("sources in order: %s", got)
	}
	for i, want := range []string{"a", "a", "b"} {
		k, err := ss[i].Keyring(root)
		if err != nil {
			t.Fatalf("source %d: %v", i, err)
		}
		probe, _ := repo.ReadKeyring(armoredKey(t, map[string]*openpgp.Entity{"a": a, "b": b}[want]))
		if k.Len() != 1 || k.Fingerprints()[0] != probe.Fingerprints()[0] {
			t.Errorf("source %d: keyring %q, want key %s", i, k.Fingerprints(), want)
		}
	}
	bad := Source{File: "x.list", Line: 3, SignedBy: []string{"ABCDEF0123456789"}}
	if _, err := bad.Keyring(root); err == nil || !strings.Contains(err.Error(), "x.list:3: Signed-By \"ABCDEF0123456789\"") {
		t.Errorf("fingerprint Signed-By: %v", err)
	}
	missing := Source{File: "x.list", Line: 4, SignedBy: []string{"/keys/missing.gpg"}}
	if _, err := missing.Keyring(root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing keyring: %v", err)
	}
	if _, err := (&Source{}).Keyring(t.TempDir()); err == nil {
		t.Error("no keys: no error")
	}
	if ss, err := HostSources(t.TempDir()); err != nil || len(ss) != 0 {
		t.Errorf("empty root: %v %v", ss, err)
	}
}

// TestHostDebianSources parses this host's debian.sources, if it has one.
func TestHostDebianSources(t *testing.T) {
	const name = "/etc/apt/sources.list.d/debian.sources"
	f, err := os.Open(name)
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	ss, err := ParseSources(f, name)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) == 0 {
		t.Fatal("no entries")
	}
	for _, s := range ss {
		for _, r := range s.Repos() {
			if r.URL == "" || len(r.Suites) == 0 {
				t.Errorf("repo %+v", r)
			}
		}
	}
}
