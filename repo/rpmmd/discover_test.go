package rpmmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/btfhub/btfhub/repo"
	"github.com/btfhub/btfhub/repo/rpmmd/rpmmdtest"
)

// summary renders an index for comparison: one line per package, then
// per skipped package, then per warning.
func summary(idx *repo.Index) string {
	var b strings.Builder
	for _, p := range idx.Packages {
		fmt.Fprintf(&b, "%s %s %s %s/%s/%s/%s\n", p.Source(), p.URL, p.SHA256[:8], p.Distro, p.DistroVersion, p.KernelArch, p.Release)
	}
	for _, s := range idx.Skipped {
		fmt.Fprintf(&b, "skip %s: %s\n", s.Name, s.Reason)
	}
	for _, w := range idx.Warnings {
		fmt.Fprintf(&b, "warn %s\n", w)
	}
	return b.String()
}

func sum8(s string) string { return sha256Hex([]byte(s))[:8] }

func TestDiscoverDistributions(t *testing.T) {
	unsigned := "warn rpmmd " + testBase + "/repodata/repomd.xml: repository is not signed (no repomd.xml.asc), metadata not verified\n"
	for _, tc := range []struct {
		name string
		pkgs []pkg
		o    mdOpts
		r    Repo
		want string
	}{
		{
			name: "fedora zstd",
			pkgs: fedoraPackages,
			o:    mdOpts{format: "zst", cpe: "cpe:/o:fedoraproject:fedora:39"},
			want: "kernel-debuginfo_6.5.6-300.fc39_x86_64 " + testBase + "/Packages/kernel-debuginfo-6.5.6-300.fc39.x86_64.rpm " +
				sum8("kernel-debuginfo-6.5.6-300.fc39.x86_64") + " fedora/39/x86_64/6.5.6-300.fc39.x86_64\n" +
				"kernel-debug-debuginfo_6.5.6-300.fc39_x86_64 " + testBase + "/Packages/kernel-debug-debuginfo-6.5.6-300.fc39.x86_64.rpm " +
				sum8("kernel-debug-debuginfo-6.5.6-300.fc39.x86_64") + " fedora/39/x86_64/6.5.6-300.fc39.x86_64+debug\n" +
				"kernel-debuginfo_6.5.6-300.fc39_aarch64 " + testBase + "/Packages/kernel-debuginfo-6.5.6-300.fc39.aarch64.rpm " +
				sum8("kernel-debuginfo-6.5.6-300.fc39.aarch64") + " fedora/39/arm64/6.5.6-300.fc39.aarch64\n" +
				"skip kernel-debuginfo-common-x86_64-6.5.6-300.fc39.x86_64: debug sources only, holds no vmlinux\n" +
				"skip kernel-tools-debuginfo-6.5.6-300.fc39.x86_64: holds no vmlinux\n" +
				"skip kernel-tools-libs-debuginfo-6.5.6-300.fc39.x86_64: holds no vmlinux\n" +
				unsigned +
				"warn rpmmd " + testBase + ": 1 kernel debuginfo packages for arch ppc64le ignored: the archive keeps x86_64 and arm64 only\n",
		},
		{
			name: "oracle uek xz, key from the dist tag",
			pkgs: []pkg{
				{name: "kernel-uek-debuginfo", arch: "x86_64", ver: "5.15.0", rel: "200.131.27.el8uek"},
				{name: "kernel-uek-debuginfo-common", arch: "x86_64", ver: "5.15.0", rel: "200.131.27.el8uek"},
				{name: "kernel-uek-debug-debuginfo", arch: "x86_64", ver: "5.15.0", rel: "200.131.27.el8uek"},
			},
			o: mdOpts{format: "xz"},
			want: "kernel-uek-debuginfo_5.15.0-200.131.27.el8uek_x86_64 " + testBase + "/Packages/kernel-uek-debuginfo-5.15.0-200.131.27.el8uek.x86_64.rpm " +
				sum8("kernel-uek-debuginfo-5.15.0-200.131.27.el8uek.x86_64") + " ol/8/x86_64/5.15.0-200.131.27.el8uek.x86_64\n" +
				"kernel-uek-debug-debuginfo_5.15.0-200.131.27.el8uek_x86_64 " + testBase + "/Packages/kernel-uek-debug-debuginfo-5.15.0-200.131.27.el8uek.x86_64.rpm " +
				sum8("kernel-uek-debug-debuginfo-5.15.0-200.131.27.el8uek.x86_64") + " ol/8/x86_64/5.15.0-200.131.27.el8uek.x86_64+debug\n" +
				"skip kernel-uek-debuginfo-common-5.15.0-200.131.27.el8uek.x86_64: debug sources only, holds no vmlinux\n" +
				unsigned,
		},
		{
			name: "suse gzip sha512, key from the CPE",
			pkgs: []pkg{
				{name: "kernel-default-debuginfo", arch: "x86_64", ver: "5.14.21", rel: "150400.24.46.1", href: "x86_64/kernel-default-debuginfo-5.14.21-150400.24.46.1.x86_64.rpm"},
				{name: "kernel-default-debugsource", arch: "x86_64", ver: "5.14.21", rel: "150400.24.46.1"},
				{name: "kernel-default-devel-debuginfo", arch: "x86_64", ver: "5.14.21", rel: "150400.24.46.1"},
				{name: "kernel-64kb-debuginfo", arch: "aarch64", ver: "5.14.21", rel: "150400.24.46.1"},
			},
			o: mdOpts{format: "gz", sumType: "sha512", cpe: "cpe:/o:suse:sle-module-basesystem:15:sp4"},
			want: "kernel-default-debuginfo_5.14.21-150400.24.46.1_x86_64 " + testBase + "/x86_64/kernel-default-debuginfo-5.14.21-150400.24.46.1.x86_64.rpm " +
				sum8("kernel-default-debuginfo-5.14.21-150400.24.46.1.x86_64") + " sles/15.4/x86_64/5.14.21-150400.24.46-default\n" +
				"kernel-64kb-debuginfo_5.14.21-150400.24.46.1_aarch64 " + testBase + "/Packages/kernel-64kb-debuginfo-5.14.21-150400.24.46.1.aarch64.rpm " +
				sum8("kernel-64kb-debuginfo-5.14.21-150400.24.46.1.aarch64") + " sles/15.4/arm64/5.14.21-150400.24.46-64kb\n" +
				"skip kernel-default-devel-debuginfo-5.14.21-150400.24.46.1.x86_64: holds no vmlinux\n" +
				unsigned,
		},
		{
			name: "rhel bzip2, key from the caller",
			pkgs: rhel9Packages,
			o:    mdOpts{format: "bz2", cpe: "cpe:/o:centos:centos:8"},
			r:    Repo{Distro: "rhel", Version: "9"},
			want: "kernel-rt-debuginfo_5.14.0-70.13.1.rt21.83.el9_0_x86_64 " + testBase + "/Packages/kernel-rt-debuginfo-5.14.0-70.13.1.rt21.83.el9_0.x86_64.rpm " +
				sum8("kernel-rt-debuginfo-5.14.0-70.13.1.rt21.83.el9_0.x86_64") + " rhel/9/x86_64/5.14.0-70.13.1.rt21.83.el9_0.x86_64+rt\n" +
				"kernel-debuginfo_5.14.0-70.13.1.el9_0_x86_64 " + testBase + "/Packages/kernel-debuginfo-5.14.0-70.13.1.el9_0.x86_64.rpm " +
				sum8("kernel-debuginfo-5.14.0-70.13.1.el9_0.x86_64") + " rhel/9/x86_64/5.14.0-70.13.1.el9_0.x86_64\n" +
				"skip kernel-debuginfo-5.14.0-70.13.1.el9_0.x86_64: listed twice\n" +
				unsigned,
		},
		{
			name: "amazon plain",
			pkgs: []pkg{{name: "kernel-debuginfo", arch: "aarch64", ver: "6.1.66", rel: "91.160.amzn2023", sum: strings.ToUpper(sha256Hex([]byte("x")))}},
			o:    mdOpts{},
			want: "kernel-debuginfo_6.1.66-91.160.amzn2023_aarch64 " + testBase + "/Packages/kernel-debuginfo-6.1.66-91.160.amzn2023.aarch64.rpm " +
				sum8("x") + " amzn/2023/arm64/6.1.66-91.160.amzn2023.aarch64\n" + unsigned,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := &memGetter{base: testBase, files: makeRepo(t, primaryXML(tc.pkgs), tc.o)}
			r := tc.r
			r.URL = testBase + "/"
			idx, err := Discover(context.Background(), g, &r)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(idx); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			for _, p := range idx.Packages {
				if p.Size != 123456 || p.Repo != r.URL || len(p.SHA256) != 64 || p.SHA256 != strings.ToLower(p.SHA256) {
					t.Errorf("%s: size %d, repo %q, sha256 %q", p.Name, p.Size, p.Repo, p.SHA256)
				}
			}
		})
	}
}

func TestDiscoverSignatures(t *testing.T) {
	signer, pub := rpmmdtest.NewSigner(t, "Repo Key")
	other, otherPub := rpmmdtest.NewSigner(t, "Other Key")
	keyring, err := repo.ReadKeyring(pub)
	if err != nil {
		t.Fatal(err)
	}
	otherKeyring, err := repo.ReadKeyring(otherPub)
	if err != nil {
		t.Fatal(err)
	}
	files := makeRepo(t, primaryXML(fedoraPackages), mdOpts{format: "zst", cpe: "cpe:/o:fedoraproject:fedora:39"})
	sign := func(by *openpgp.Entity, data []byte) []byte {
		var b bytes.Buffer
		if err := openpgp.ArmoredDetachSign(&b, by, bytes.NewReader(data), nil); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	goodSig := sign(signer, files["repodata/repomd.xml"])
	otherSig := sign(other, files["repodata/repomd.xml"])
	tampered := []byte(strings.Replace(string(files["repodata/repomd.xml"]), "<revision>1700000000", "<revision>1700000001", 1))
	primaryURL := ""
	for path := range files {
		if strings.Contains(path, "primary") {
			primaryURL = testBase + "/" + path
		}
	}
	for _, tc := range []struct {
		name        string
		r           Repo
		md, asc     []byte
		ascErr      error
		err         error
		errText     string
		warn        string
		askedForAsc bool
	}{
		{name: "signed", r: Repo{Keyring: keyring}, asc: goodSig, askedForAsc: true},
		{name: "signed, required", r: Repo{Keyring: keyring, RequireSignature: true}, asc: goodSig, askedForAsc: true},
		{name: "unsigned", r: Repo{Keyring: keyring}, warn: "not signed", askedForAsc: true},
		{name: "unsigned, required", r: Repo{Keyring: keyring, RequireSignature: true}, err: repo.ErrSignature, errText: "signature is required", askedForAsc: true},
		{name: "other key", r: Repo{Keyring: otherKeyring}, asc: goodSig, err: repo.ErrSignature, errText: "repomd.xml.asc", askedForAsc: true},
		{name: "signed by another", r: Repo{Keyring: keyring}, asc: otherSig, err: repo.ErrSignature, errText: "not in the keyring", askedForAsc: true},
		{name: "both keys", r: Repo{Keyring: otherKeyring}, asc: otherSig, askedForAsc: true},
		{name: "tampered", r: Repo{Keyring: keyring}, md: tampered, asc: goodSig, err: repo.ErrSignature, askedForAsc: true},
		{name: "garbage signature", r: Repo{Keyring: keyring}, asc: []byte("-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n"), err: repo.ErrSignature, askedForAsc: true},
		{name: "no keyring", r: Repo{}, asc: goodSig, err: repo.ErrSignature, errText: "no keyring", askedForAsc: true},
		{name: "server error", r: Repo{Keyring: keyring}, ascErr: errors.New("503 Service Unavailable"), errText: "503", askedForAsc: true},
		{name: "no verify", r: Repo{NoVerify: true}, md: tampered, asc: goodSig, warn: "verification skipped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := map[string][]byte{}
			for k, v := range files {
				fs[k] = v
			}
			if tc.md != nil {
				fs["repodata/repomd.xml"] = tc.md
			}
			if tc.asc != nil {
				fs["repodata/repomd.xml.asc"] = tc.asc
			}
			g := &errGetter{memGetter: memGetter{base: testBase, files: fs}, fail: testBase + "/repodata/repomd.xml.asc", err: tc.ascErr}
			r := tc.r
			r.URL = testBase
			idx, err := Discover(context.Background(), g, &r)
			asked := strings.Join(g.got, " ")
			if strings.Contains(asked, "repomd.xml.asc") != tc.askedForAsc {
				t.Errorf("asked for %s", asked)
			}
			if tc.err != nil || tc.errText != "" {
				if (tc.err != nil && !errors.Is(err, tc.err)) || !strings.Contains(fmt.Sprint(err), tc.errText) {
					t.Fatalf("err = %v, want %v with %q", err, tc.err, tc.errText)
				}
				if strings.Contains(asked, primaryURL) {
					t.Errorf("fetched the primary metadata after a bad signature: %s", asked)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(idx.Packages) != 3 || !strings.Contains(asked, primaryURL) {
				t.Errorf("%d packages; asked for %s", len(idx.Packages), asked)
			}
			warned := strings.Join(idx.Warnings, "\n")
			if tc.warn != "" && !strings.Contains(warned, tc.warn) || tc.warn == "" && strings.Contains(warned, "sign") {
				t.Errorf("warnings %q, want %q", warned, tc.warn)
			}
		})
	}
}

// errGetter fails one URL with err, when err is set.
type errGetter struct {
	memGetter
	fail string
	err  error
}

func (g *errGetter) Get(ctx context.Context, url string, max int64) ([]byte, error) {
	if url == g.fail && g.err != nil {
		g.got = append(g.got, url)
		return nil, g.err
	}
	return g.memGetter.Get(ctx, url, max)
}

func TestDiscoverErrors(t *testing.T) {
	good := primaryXML(fedoraPackages)
	el9 := primaryXML([]pkg{{name: "kernel-debuginfo", arch: "x86_64", ver: "5.14.0", rel: "362.8.1.el9_3"}})
	one := func(p pkg) []byte {
		if p.name == "" {
			p.name = "kernel-debuginfo"
		}
		p.arch, p.ver, p.rel = "x86_64", "6.5.6", "300.fc39"
		return primaryXML([]pkg{p})
	}
	for _, tc := range []struct {
		name    string
		primary []byte
		o       mdOpts
		r       Repo
		mutate  func(files map[string][]byte)
		err     error
		text    string
	}{
		{name: "checksum mismatch", primary: good, o: mdOpts{format: "gz", sum: sha256Hex([]byte("other"))}, err: repo.ErrChecksum, text: "primary.xml.gz: sha256 is not the one"},
		{name: "content changed", primary: good, o: mdOpts{format: "zst"}, mutate: func(f map[string][]byte) {
			for k, v := range f {
				if strings.Contains(k, "primary") {
					v = append([]byte(nil), v...)
					v[len(v)/2] ^= 1
					f[k] = v
				}
			}
		}, err: repo.ErrChecksum, text: "is not the one repomd.xml gives"},
		{name: "size larger than given", primary: good, o: mdOpts{format: "xz", size: "10"}, text: "more than 10 bytes"},
		{name: "size smaller than given", primary: good, o: mdOpts{format: "xz", size: "1000000"}, err: repo.ErrChecksum, text: "repomd.xml says 1000000"},
		{name: "open-size smaller", primary: good, o: mdOpts{format: "gz", openSize: "100"}, err: repo.ErrMetadata, text: "more than its bound"},
		{name: "open-size larger", primary: good, o: mdOpts{format: "gz", openSize: "100000000"}, err: repo.ErrChecksum, text: "repomd.xml says 100000000"},
		{name: "size over the bound", primary: good, o: mdOpts{size: "2000000000"}, err: repo.ErrMetadata, text: "more than 1073741824"},
		{name: "weak sha1", primary: good, o: mdOpts{sumType: "sha1", sum: strings.Repeat("ab", 20)}, err: repo.ErrMetadata, text: "weak checksum"},
		{name: "weak md5", primary: good, o: mdOpts{sumType: "md5", sum: strings.Repeat("ab", 16)}, err: repo.ErrMetadata, text: "weak checksum"},
		{name: "absolute href", primary: good, o: mdOpts{href: "/etc/passwd"}, err: repo.ErrMetadata, text: "not a relative path"},
		{name: "dotdot href", primary: good, o: mdOpts{href: "repodata/../../../x.xml"}, err: repo.ErrMetadata, text: "climbs out"},
		{name: "other host href", primary: good, o: mdOpts{href: "http://evil.invalid/p.xml"}, err: repo.ErrMetadata, text: "not a relative path"},
		{name: "missing primary", primary: good, o: mdOpts{href: "repodata/gone-primary.xml.gz"}, err: repo.ErrNotFound, text: "gone-primary"},
		{name: "plain named as gz", primary: good, o: mdOpts{href: "repodata/p.xml.gz"}, mutate: func(f map[string][]byte) {
			for k, v := range f {
				if strings.HasSuffix(k, "-primary.xml") {
					f["repodata/p.xml.gz"] = v
				}
			}
		}, err: repo.ErrMetadata, text: "named as gzip"},
		{name: "not xml", primary: []byte("{\"packages\": []}"), err: repo.ErrMetadata, text: "no <metadata>"},
		{name: "ambiguous el9", primary: el9, err: repo.ErrMetadata, text: "kernel-debuginfo-5.14.0-362.8.1.el9_3.x86_64: dist tag \"el9_3\" is shared by RHEL"},
		{name: "ambiguous el9 with a version", primary: el9, r: Repo{Version: "9"}, err: repo.ErrMetadata, text: "pass --distro"},
		{name: "bad distro", primary: good, r: Repo{Distro: "../fedora"}, text: "not usable as a directory name"},
		{name: "package href absolute", primary: one(pkg{href: "/srv/k.rpm"}), err: repo.ErrMetadata, text: "kernel-debuginfo-6.5.6-300.fc39.x86_64: location href: not a relative path"},
		{name: "package href dotdot", primary: one(pkg{href: "Packages/../../k.rpm"}), err: repo.ErrMetadata, text: "climbs out"},
		{name: "package xml:base", primary: []byte(strings.Replace(string(one(pkg{})), "<location ", `<location xml:base="file:///etc" `, 1)), err: repo.ErrMetadata, text: "not an HTTP URL"},
		{name: "package weak checksum", primary: one(pkg{sumType: "sha1", sum: strings.Repeat("ab", 20)}), err: repo.ErrMetadata, text: "weak checksum type \"sha1\""},
		{name: "package bad checksum", primary: one(pkg{sum: "xyz"}), err: repo.ErrMetadata, text: "not 64 hex digits"},
		{name: "package bad size", primary: one(pkg{size: "-5"}), err: repo.ErrMetadata, text: "not a package size"},
		{name: "package huge size", primary: one(pkg{size: "99999999999999"}), err: repo.ErrMetadata, text: "not a package size"},
		{name: "package slash in name", primary: one(pkg{name: "kernel-debuginfo/../x-debuginfo"}), err: repo.ErrMetadata, text: "has a character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := makeRepo(t, tc.primary, tc.o)
			if tc.mutate != nil {
				tc.mutate(files)
			}
			r := tc.r
			r.URL = testBase
			_, err := Discover(context.Background(), &memGetter{base: testBase, files: files}, &r)
			if err == nil || (tc.err != nil && !errors.Is(err, tc.err)) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("err = %v, want %v with %q", err, tc.err, tc.text)
			}
			if !strings.HasPrefix(err.Error(), "rpmmd ") {
				t.Errorf("error %q does not name the repository", err)
			}
		})
	}
}

func TestDiscoverSkipsPackages(t *testing.T) {
	primary := primaryXML([]pkg{
		{name: "kernel-debuginfo", arch: "x86_64", ver: "6.5.6", rel: "300.fc39", sumType: "sha512", sum: strings.Repeat("ab", 64)},
		{name: "kernel-debuginfo", arch: "x86_64", ver: "6.5.6", rel: "300^git1.fc39"},
		{name: "kernel-automotive-debuginfo", arch: "x86_64", ver: "6.5.6", rel: "300.fc39"},
		{name: "kernel-debuginfo", arch: "s390x", ver: "6.5.6", rel: "300.fc39"},
		{name: "kernel-debuginfo", arch: "s390x", ver: "6.5.7", rel: "300.fc39"},
		{name: "kernel-debuginfo", arch: "i686", ver: "6.5.6", rel: "300.fc39"},
		{name: "kernel-tools-debuginfo", arch: "s390x", ver: "6.5.6", rel: "300.fc39"},
	})
	idx, err := Discover(context.Background(), &memGetter{base: testBase, files: makeRepo(t, primary, mdOpts{})}, &Repo{URL: testBase, NoVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "skip kernel-debuginfo-6.5.6-300.fc39.x86_64: no SHA-256 checksum (sha512)\n" +
		"skip kernel-debuginfo-6.5.6-300^git1.fc39.x86_64: kernel release \"6.5.6-300^git1.fc39.x86_64\" is not usable as a file name\n" +
		"skip kernel-automotive-debuginfo-6.5.6-300.fc39.x86_64: unknown kernel flavour, not known to hold a vmlinux\n" +
		"warn rpmmd " + testBase + "/repodata/repomd.xml: signature verification skipped\n" +
		"warn rpmmd " + testBase + ": 1 kernel debuginfo packages for arch i686 ignored: the archive keeps x86_64 and arm64 only\n" +
		"warn rpmmd " + testBase + ": 2 kernel debuginfo packages for arch s390x ignored: the archive keeps x86_64 and arm64 only\n"
	if got := summary(idx); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
