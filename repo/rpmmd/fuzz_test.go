package rpmmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/pkgread"
	"github.com/btfhub/btfhub/repo"
)

// FuzzParseRepomd: no repomd.xml may panic, or be accepted with a
// primary location that leaves the repository or a checksum that is
// not a full SHA-256 or SHA-512.
func FuzzParseRepomd(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "repomd-*.xml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(makeRepo(f, []byte("<metadata/>"), mdOpts{cpe: "cpe:/o:redhat:enterprise_linux:9::baseos"})["repodata/repomd.xml"])
	f.Add(makeRepo(f, []byte("<metadata/>"), mdOpts{href: "repodata/../x", sumType: "sha1", sum: strings.Repeat("a", 40)})["repodata/repomd.xml"])
	f.Add([]byte(`<repomd><data type="primary"><location href="p.xml"/></data></repomd>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		md, err := parseRepomd(data)
		if err != nil {
			return
		}
		p := md.primary
		u, err := repo.JoinURL(testBase, p.href)
		if err != nil || !strings.HasPrefix(u, testBase+"/") || strings.ContainsAny(p.href, "?#\\ ") {
			t.Fatalf("accepted href %q (%v)", p.href, err)
		}
		if !(p.sum.typ == "sha256" && len(p.sum.sum) == 32 || p.sum.typ == "sha512" && len(p.sum.sum) == 64) {
			t.Fatalf("accepted checksum %+v", p.sum)
		}
		if p.size < -1 || p.openSize < -1 {
			t.Fatalf("sizes %d %d", p.size, p.openSize)
		}
		for _, cpe := range md.cpes {
			if d, v, ok := parseCPE(cpe); ok && (!validKeyPart(d) || v != "" && !validKeyPart(v)) {
				t.Fatalf("CPE %q gives %q %q", cpe, d, v)
			}
		}
	})
}

// FuzzParsePrimary: no primary.xml may panic, and every package Discover
// would keep from it has a URL inside the repository, a SHA-256, a size,
// an archive arch and a release usable as a file name.
func FuzzParsePrimary(f *testing.F) {
	f.Add(primaryXML(fedoraPackages[1:4]), "")
	if real, err := filepath.Glob(filepath.Join("testdata", "example", "repodata", "*-primary.xml.gz")); err == nil && len(real) == 1 {
		data, err := os.ReadFile(real[0])
		if err != nil {
			f.Fatal(err)
		}
		zr, err := decompress(real[0], data, 1<<20)
		if err != nil {
			f.Fatal(err)
		}
		var doc bytes.Buffer
		if _, err := doc.ReadFrom(zr); err != nil {
			f.Fatal(err)
		}
		f.Add(doc.Bytes(), "")
	}
	f.Add(primaryXML([]pkg{
		{name: "kernel-default-debuginfo", arch: "x86_64", ver: "5.14.21", rel: "150400.24.46.1"},
		{name: "kernel-uek-debuginfo", arch: "aarch64", ver: "5.15.0", rel: "200.131.27.el8uek", href: "../x.rpm"},
		{name: "kernel-rt-debuginfo", arch: "x86_64", ver: "5.14.0", rel: "70.13.1.rt21.83.el9_0", sumType: "sha1"},
	}), "rhel")
	f.Add([]byte(`<metadata><package type="rpm"><name>kernel-debuginfo</name><arch>x86_64</arch>`+
		`<version ver="1" rel="1.fc39"/><checksum type="sha256">`+strings.Repeat("0", 64)+`</checksum>`+
		`<size package="1"/><location xml:base="http://other.test/" href="a.rpm"/></package></metadata>`), "")
	f.Add([]byte(`<metadata><package type="rpm"><name>kernel-debuginfo</name></package>`), "sles")
	f.Fuzz(func(t *testing.T, data []byte, distro string) {
		idx := &repo.Index{}
		r := &Repo{URL: testBase}
		if validKeyPart(distro) {
			r.Distro = distro
		}
		b := newBuilder(r, testBase, []string{"cpe:/o:fedoraproject:fedora:39"}, idx)
		_, err := parsePrimary(context.Background(), bytes.NewReader(data), wantName, b.add)
		if err != nil {
			return
		}
		for _, p := range idx.Packages {
			if !strings.HasPrefix(p.URL, testBase+"/") && !strings.HasPrefix(p.URL, "http") {
				t.Fatalf("URL %q", p.URL)
			}
			if strings.Contains(p.URL, "/../") || len(p.SHA256) != 64 || p.Size <= 0 || p.Size > MaxPackageSize {
				t.Fatalf("package %+v", p)
			}
			if (p.KernelArch != "x86_64" && p.KernelArch != "arm64") || !pkgread.ValidRelease(p.Release) ||
				!validKeyPart(p.Distro) || !validKeyPart(p.DistroVersion) {
				t.Fatalf("key of %+v", p)
			}
			if _, _, ok := kernelName(p.Name); !ok {
				t.Fatalf("kept %q", p.Name)
			}
		}
	})
}
