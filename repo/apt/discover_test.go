package apt

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/repo"
)

// debianHeader is the head of a Debian Release, before SHA256.
func debianHeader(suite, codename, version, extra string) string {
	return "Origin: Debian\nLabel: Debian\nSuite: " + suite + "\nVersion: " + version +
		"\nCodename: " + codename + "\nDate: Sat, 11 Jul 2026 10:16:37 UTC\n" +
		"Acquire-By-Hash: yes\nArchitectures: all amd64 arm64 i386\nComponents: main contrib\n" +
		"Description: Debian " + version + "\n" + extra
}

const metaDescription = "Description: Debugging symbols for Linux amd64 configuration (meta-package)"

// debianServer publishes bookworm and bookworm-updates, signed by a new
// key, and returns the server and a keyring of that key.
func debianServer(t *testing.T) (*server, *repo.Keyring) {
	key, keyring := newKey(t, "archive")
	s := newServer(t)
	s.publish(t, suiteSpec{
		name:   "bookworm",
		header: debianHeader("oldstable", "bookworm", "12.15", ""),
		indexes: map[string]string{
			"main/binary-amd64": stanza("bash", "5.2.15-2+b13", "amd64") +
				stanza("linux-image-6.1.0-47-amd64-dbg", "6.1.170-1", "amd64") +
				stanza("linux-image-6.1.0-47-cloud-amd64-dbg", "6.1.170-1", "amd64") +
				stanza("linux-image-amd64-dbg", "6.1.170-1", "amd64", metaDescription, "Section: kernel") +
				stanza("linux-image-6.12-amd64-dbg", "6.12.10-1", "amd64") +
				stanza("linux-image-6.1.0-47-common-dbg", "6.1.170-1", "all"),
			"main/binary-arm64": stanza("linux-image-6.1.0-47-arm64-dbg", "6.1.170-1", "arm64"),
			"main/binary-i386":  stanza("linux-image-6.1.0-47-686-dbg", "6.1.170-1", "i386"),
		},
		forms: []string{".xz", ".gz"},
		key:   key,
	})
	s.publish(t, suiteSpec{
		name:   "bookworm-updates",
		header: debianHeader("oldstable-updates", "bookworm-updates", "12-updates", ""),
		indexes: map[string]string{
			"main/binary-amd64": stanza("linux-image-6.1.0-47-amd64-dbg", "6.1.170-1", "amd64") +
				stanza("linux-image-amd64-dbg", "6.1.170-1", "amd64", metaDescription) +
				stanza("linux-image-6.1.0-50-amd64-dbg", "6.1.176-1", "amd64"),
			"main/binary-arm64": "",
		},
		forms: []string{".gz", ""},
		key:   key,
	})
	return s, keyring
}

// names lists the packages' Source().
func names(idx *repo.Index) []string {
	var out []string
	for _, p := range idx.Packages {
		out = append(out, p.Source())
	}
	return out
}

func TestDiscoverDebian(t *testing.T) {
	s, keyring := debianServer(t)
	// Listed, but not served: Discover falls back to Packages.gz.
	delete(s.files, "dists/bookworm/main/binary-arm64/Packages.xz")
	idx, err := Discover(context.Background(), getter{}, &Repo{
		URL: s.base() + "/", Suites: []string{"bookworm", "bookworm-updates"}, Keyring: keyring,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"linux-image-6.1.0-47-amd64-dbg_6.1.170-1_amd64",
		"linux-image-6.1.0-47-cloud-amd64-dbg_6.1.170-1_amd64",
		"linux-image-6.1.0-47-arm64-dbg_6.1.170-1_arm64",
		"linux-image-6.1.0-50-amd64-dbg_6.1.176-1_amd64",
	}
	if got := names(idx); !slices.Equal(got, want) {
		t.Errorf("packages:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	name := "linux-image-6.1.0-47-amd64-dbg"
	wantPkg := repo.Package{
		Name: name, Version: "6.1.170-1", Arch: "amd64",
		URL:    s.base() + "/pool/main/l/linux/" + name + "_6.1.170-1_amd64.deb",
		Size:   int64(1000 + len(name)),
		SHA256: strings.TrimPrefix(stanzaField(stanza(name, "6.1.170-1", "amd64"), "SHA256"), " "),
		Distro: "debian", DistroVersion: "12", KernelArch: "x86_64", Release: "6.1.0-47-amd64",
		Repo: s.base() + " bookworm/main",
	}
	if idx.Packages[0] != wantPkg {
		t.Errorf("package:\n%+v\nwant\n%+v", idx.Packages[0], wantPkg)
	}
	if p := idx.Packages[2]; p.KernelArch != "arm64" || p.Release != "6.1.0-47-arm64" {
		t.Errorf("arm64 package: %+v", p)
	}
	if p := idx.Packages[3]; p.DistroVersion != "12" || p.Repo != s.base()+" bookworm-updates/main" {
		t.Errorf("updates package: %+v", p)
	}
	wantSkipped := []repo.Skipped{
		{Name: "linux-image-amd64-dbg_6.1.170-1_amd64", Reason: "meta package"},
		{Name: "linux-image-6.12-amd64-dbg_6.12.10-1_amd64", Reason: "meta package"},
	}
	if !slices.Equal(idx.Skipped, wantSkipped) {
		t.Errorf("skipped: %+v", idx.Skipped)
	}
	if len(idx.Warnings) != 0 {
		t.Errorf("warnings: %q", idx.Warnings)
	}
	if s.askedFor("binary-i386") || s.askedFor("bookworm/main/binary-amd64/Packages.gz") || !s.askedFor("bookworm/main/binary-arm64/Packages.gz") {
		t.Errorf("fetched the wrong indexes: %q", s.asked)
	}
}

// stanzaField returns the value of a field of a stanza.
func stanzaField(st, name string) string {
	for _, line := range strings.Split(st, "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	return ""
}

func TestDiscoverUbuntuDetached(t *testing.T) {
	key, keyring := newKey(t, "ubuntu")
	s := newServer(t)
	s.publish(t, suiteSpec{
		name:   "jammy-updates",
		header: "Origin: Ubuntu\nLabel: Ubuntu\nSuite: jammy-updates\nVersion: 22.04\nCodename: jammy\nArchitectures: amd64 arm64\nComponents: main\n",
		indexes: map[string]string{
			"main/binary-amd64": stanza("linux-image-5.15.0-91-generic-dbgsym", "5.15.0-91.101", "amd64") +
				stanza("linux-image-unsigned-5.15.0-91-generic-dbgsym", "5.15.0-91.101", "amd64") +
				stanza("linux-image-generic-dbgsym", "5.15.0.91.88", "amd64"),
			"main/binary-arm64": stanza("linux-image-unsigned-6.8.0-31-generic-dbgsym", "6.8.0-31.31~22.04.1", "arm64"),
		},
		forms: []string{""},
		sign:  signDetached,
		key:   key,
	})
	idx, err := Discover(context.Background(), getter{}, &Repo{URL: s.base(), Suites: []string{"jammy-updates"}, Keyring: keyring})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range idx.Packages {
		got = append(got, fmt.Sprintf("%s/%s/%s/%s %s", p.Distro, p.DistroVersion, p.KernelArch, p.Release, p.FileName()))
	}
	want := []string{
		"ubuntu/22.04/x86_64/5.15.0-91-generic linux-image-5.15.0-91-generic-dbgsym_5.15.0-91.101_amd64.ddeb",
		"ubuntu/22.04/x86_64/5.15.0-91-generic linux-image-unsigned-5.15.0-91-generic-dbgsym_5.15.0-91.101_amd64.ddeb",
		"ubuntu/22.04/arm64/6.8.0-31-generic linux-image-unsigned-6.8.0-31-generic-dbgsym_6.8.0-31.31~22.04.1_arm64.ddeb",
	}
	if !slices.Equal(got, want) {
		t.Errorf("packages:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(idx.Skipped) != 1 || idx.Skipped[0].Name != "linux-image-generic-dbgsym_5.15.0.91.88_amd64" {
		t.Errorf("skipped: %+v", idx.Skipped)
	}
	if !s.askedFor("jammy-updates/InRelease") || !s.askedFor("Release.gpg") {
		t.Errorf("did not try InRelease, then Release.gpg: %q", s.asked)
	}
}

func TestDiscoverOverrideAndArchs(t *testing.T) {
	s, keyring := debianServer(t)
	idx, err := Discover(context.Background(), getter{}, &Repo{
		URL: s.base(), Suites: []string{"bookworm"}, Components: []string{"main", "contrib"},
		Archs: []string{"amd64", "s390x", "i386", "arm64"}, Keyring: keyring,
		Distro: "mydebian", Version: "twelve",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range idx.Packages {
		if p.Distro != "mydebian" || p.DistroVersion != "twelve" {
			t.Errorf("override not applied: %+v", p)
		}
	}
	if len(idx.Packages) != 3 {
		t.Errorf("packages: %q", names(idx))
	}
	want := []string{
		`architecture "s390x" has no arch directory`,
		`architecture "i386" has no arch directory`,
		"lists no Packages index for contrib/binary-amd64",
		"lists no Packages index for contrib/binary-arm64",
	}
	if len(idx.Warnings) != len(want) {
		t.Fatalf("warnings: %q", idx.Warnings)
	}
	for i, w := range want {
		if !strings.Contains(idx.Warnings[i], w) {
			t.Errorf("warning %d: %q lacks %q", i, idx.Warnings[i], w)
		}
	}
}

func TestDiscoverWarnings(t *testing.T) {
	key, keyring := newKey(t, "archive")
	s := newServer(t)
	s.publish(t, suiteSpec{
		name:   "trixie-security",
		header: debianHeader("stable-security", "trixie-security", "", "Valid-Until: Sun, 13 Dec 2020 02:54:30 UTC\n"),
		indexes: map[string]string{
			"main/binary-amd64": stanza("linux-image-6.12.107+deb13-amd64-dbg", "6.12.107-1", "amd64", "SHA256:") +
				stanza("linux-image-6.12.107+deb13-cloud-amd64-dbg", "6.12.107-1", "amd64", "Size: -5") +
				stanza("linux-image-6.12.107+deb13-rt-amd64-dbg", "6.12.107-1", "amd64", "Filename:") +
				stanza("linux-image-6.12.107+deb13-arm64-dbg", "6.12.107-1", "amd64", "Version: 1 2") +
				stanza("linux-image-6.12.107+deb13-686-dbg", "6.12.107-1", "i386"),
		},
		key: key,
	})
	idx, err := Discover(context.Background(), getter{}, &Repo{URL: s.base(), Suites: []string{"trixie-security"}, Keyring: keyring, Archs: []string{"amd64"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Packages) != 0 {
		t.Errorf("packages: %q", names(idx))
	}
	want := []string{
		"expired: Valid-Until Sun, 13 Dec 2020 02:54:30 UTC is past",
		"linux-image-6.12.107+deb13-amd64-dbg: no SHA256 field; passed over",
		"Size \"-5\" is not a positive integer",
		"Filename \"\" is missing",
		"Version \"1 2\" has a byte ' '",
		`architecture "i386" has no arch directory`,
	}
	if len(idx.Warnings) != len(want) {
		t.Fatalf("warnings: %q", idx.Warnings)
	}
	for i, w := range want {
		if !strings.Contains(idx.Warnings[i], w) {
			t.Errorf("warning %d: %q lacks %q", i, idx.Warnings[i], w)
		}
	}
	if len(idx.Skipped) != 3 || idx.Skipped[0].Reason != "no usable SHA256" {
		t.Errorf("skipped: %+v", idx.Skipped)
	}
}

func TestDiscoverNoVerify(t *testing.T) {
	key, _ := newKey(t, "archive")
	s := newServer(t)
	idx := map[string]string{"main/binary-amd64": stanza("linux-image-6.1.0-47-amd64-dbg", "6.1.170-1", "amd64")}
	s.publish(t, suiteSpec{name: "signed", header: debianHeader("signed", "signed", "12", ""), indexes: idx, key: key})
	s.publish(t, suiteSpec{name: "plain", header: debianHeader("plain", "plain", "12", ""), indexes: idx, sign: signNone})
	s.publish(t, suiteSpec{name: "release", header: debianHeader("release", "release", "12", ""), indexes: idx, sign: signMissing})
	s.publish(t, suiteSpec{name: "alias", header: debianHeader("other", "other", "12", ""), indexes: idx, key: key})
	got, err := Discover(context.Background(), getter{}, &Repo{URL: s.base(), Suites: []string{"alias"}, Archs: []string{"amd64"}, NoVerify: true})
	if err != nil || len(got.Warnings) != 2 || !strings.Contains(got.Warnings[1], `Release is of suite "other", codename "other", not "alias"`) {
		t.Errorf("alias: err %v, warnings %q", err, got.Warnings)
	}
	for _, suite := range []string{"signed", "plain", "release"} {
		got, err := Discover(context.Background(), getter{}, &Repo{URL: s.base(), Suites: []string{suite}, Archs: []string{"amd64"}, NoVerify: true})
		if err != nil {
			t.Fatalf("%s: %v", suite, err)
		}
		if len(got.Packages) != 1 || len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "signature not checked") {
			t.Errorf("%s: packages %q, warnings %q", suite, names(got), got.Warnings)
		}
	}
}

func TestDiscoverErrors(t *testing.T) {
	key, keyring := newKey(t, "archive")
	_, otherKeyring := newKey(t, "other")
	good := stanza("linux-image-6.1.0-47-amd64-dbg", "6.1.170-1", "amd64")
	spec := func(name string, sign int, indexes string) suiteSpec {
		return suiteSpec{name: name, header: debianHeader(name, name, "12", ""),
			indexes: map[string]string{"main/binary-amd64": indexes}, sign: sign, key: key}
	}
	s := newServer(t)
	s.publish(t, spec("unsigned", signNone, good))
	s.publish(t, spec("nosig", signMissing, good))
	s.publish(t, spec("dotdot", signInRelease, stanza("linux-image-6.1.0-47-amd64-dbg", "1", "amd64", "Filename: pool/../../etc/passwd")))
	s.publish(t, spec("absolute", signInRelease, stanza("linux-image-6.1.0-47-amd64-dbg", "1", "amd64", "Filename: /etc/passwd")))
	s.publish(t, spec("corrupt", signInRelease, good))
	s.files["dists/corrupt/main/binary-amd64/Packages.xz"][20] ^= 1
	s.publish(t, spec("short", signInRelease, good))
	s.files["dists/short/main/binary-amd64/Packages.xz"] = s.files["dists/short/main/binary-amd64/Packages.xz"][1:]
	s.publish(t, spec("good", signInRelease, good))
	for name, size := range map[string]int{"bigger": 99999, "smaller": 10} {
		sp := spec(name, signInRelease, good)
		sp.edit = func(rel string) string {
			return strings.Replace(rel, fmt.Sprintf(" %d main/binary-amd64/Packages\n", len(good)), fmt.Sprintf(" %d main/binary-amd64/Packages\n", size), 1)
		}
		s.publish(t, sp)
	}
	s.publish(t, spec("badstanza", signInRelease, "Package linux\n"))
	s.publish(t, spec("nosha", signInRelease, good))
	s.files["dists/nosha/InRelease"] = clearsignText(t, debianHeader("nosha", "nosha", "12", ""), key)
	s.publish(t, spec("noorigin", signInRelease, good))
	s.files["dists/noorigin/InRelease"] = clearsignText(t, "Suite: noorigin\nSHA256:\n", key)
	tests := []struct {
		suite    string
		keyring  *repo.Keyring
		sentinel error
		text     string
	}{
		{"unsigned", keyring, repo.ErrSignature, "not a clearsigned message"},
		{"nosig", keyring, repo.ErrSignature, "unsigned (neither InRelease nor Release.gpg)"},
		{"good", otherKeyring, repo.ErrSignature, "not in the keyring"},
		{"good", &repo.Keyring{}, repo.ErrSignature, "no keyring"},
		{"good", nil, repo.ErrSignature, "no keyring"},
		{"missing", keyring, repo.ErrNotFound, "dists/missing/Release (there is no InRelease)"},
		{"dotdot", keyring, repo.ErrMetadata, "path climbs out of the repository"},
		{"absolute", keyring, repo.ErrMetadata, "not a relative path"},
		{"corrupt", keyring, repo.ErrChecksum, "dists/corrupt/main/binary-amd64/Packages.xz: SHA-256"},
		{"short", keyring, repo.ErrChecksum, "Packages.xz: "},
		{"bigger", keyring, repo.ErrChecksum, "the Release says 99999"},
		{"smaller", keyring, repo.ErrChecksum, "decompressed index is larger than the 10 bytes"},
		{"badstanza", keyring, repo.ErrMetadata, "Packages.xz: line 1: not a field"},
		{"nosha", keyring, repo.ErrMetadata, "no SHA256 field"},
		{"noorigin", keyring, repo.ErrMetadata, "set Repo.Distro"},
		{"../x", keyring, repo.ErrMetadata, "flat repositories"},
		{"flat/", keyring, repo.ErrMetadata, "flat repositories"},
	}
	for _, tc := range tests {
		t.Run(tc.suite, func(t *testing.T) {
			s.asked = nil
			_, err := Discover(context.Background(), getter{}, &Repo{URL: s.base(), Suites: []string{tc.suite}, Keyring: tc.keyring})
			if !errors.Is(err, tc.sentinel) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("err = %v, want %v with %q", err, tc.sentinel, tc.text)
			}
			if errors.Is(err, repo.ErrSignature) && s.askedFor("Packages") {
				t.Errorf("fetched an index before the signature was checked: %q", s.asked)
			}
		})
	}
	s.asked = nil
	if _, err := Discover(context.Background(), getter{}, &Repo{URL: s.base(), Suites: []string{"good", "unsigned"}, Keyring: keyring}); !errors.Is(err, repo.ErrSignature) || s.askedFor("Packages") {
		t.Errorf("second suite unsigned: err %v, asked %q", err, s.asked)
	}
	for _, r := range []*Repo{nil, {URL: "not a url", Suites: []string{"x"}}, {URL: s.base()},
		{URL: s.base(), Suites: []string{"good"}, Components: []string{"../x"}, NoVerify: true},
		{URL: s.base(), Suites: []string{"good"}, Archs: []string{"a/b"}, NoVerify: true},
		{URL: s.base(), Suites: []string{"good"}, Distro: "../x", NoVerify: true}} {
		if _, err := Discover(context.Background(), getter{}, r); !errors.Is(err, repo.ErrMetadata) {
			t.Errorf("Discover(%+v): err = %v, want ErrMetadata", r, err)
		}
	}
}

// failGetter fails every Get.
type failGetter struct{}

// Get fails.
func (failGetter) Get(ctx context.Context, url string, max int64) ([]byte, error) {
	return nil, errors.New("connection refused")
}

func TestDiscoverGetterError(t *testing.T) {
	_, err := Discover(context.Background(), failGetter{}, &Repo{URL: "http://repo.invalid/debian", Suites: []string{"bookworm"}, NoVerify: true})
	if err == nil || err.Error() != "http://repo.invalid/debian/dists/bookworm/InRelease: connection refused" {
		t.Fatalf("err = %v", err)
	}
}
