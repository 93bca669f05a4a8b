package rpmmd

import (
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/btfhub/btfhub/repo"
)

// memGetter serves files from a map, as a Getter does from a server:
// a missing file is an error wrapping repo.ErrNotFound, and a file
// larger than max an error.
type memGetter struct {
	base  string
	files map[string][]byte
	// got records the URLs asked for, in order.
	got []string
}

func (g *memGetter) Get(ctx context.Context, url string, max int64) ([]byte, error) {
	g.got = append(g.got, url)
	rel, ok := strings.CutPrefix(url, g.base+"/")
	data, found := g.files[rel]
	if !ok || !found {
		return nil, fmt.Errorf("GET %s: 404: %w", url, repo.ErrNotFound)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("GET %s: more than %d bytes", url, max)
	}
	return data, nil
}

const testBase = "http://repo.test/debug/x86_64"

// pkg is a package for primaryXML.
type pkg struct {
	name, arch, ver, rel string
	sumType, sum         string // default sha256 of the NEVRA
	size                 string // default "123456"
	href                 string // default Packages/NEVRA.rpm
}

func (p pkg) nevra() string { return p.name + "-" + p.ver + "-" + p.rel + "." + p.arch }

func sha256Hex(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// primaryXML writes primary.xml for pkgs in the layout createrepo_c
// writes, with a format section like a real package's.
func primaryXML(pkgs []pkg) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata xmlns=\"http://linux.duke.edu/metadata/common\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"%d\">\n", len(pkgs))
	for _, p := range pkgs {
		if p.sumType == "" {
			p.sumType = "sha256"
		}
		if p.sum == "" {
			p.sum = sha256Hex([]byte(p.nevra()))
		}
		if p.size == "" {
			p.size = "123456"
		}
		if p.href == "" {
			p.href = "Packages/" + p.nevra() + ".rpm"
		}
		fmt.Fprintf(&b, `<package type="rpm">
  <name>%s</name>
  <arch>%s</arch>
  <version epoch="0" ver="%s" rel="%s"/>
  <checksum type="%s" pkgid="YES">%s</checksum>
  <summary>Debug information for package %s</summary>
  <description>This package provides debug information for package %s &amp; friends.
Debug information is useful when developing applications that use this
package or when debugging this package.</description>
  <packager>Build System &lt;build@example.invalid&gt;</packager>
  <url>https://kernel.example.invalid/</url>
  <time file="1700000000" build="1699990000"/>
  <size package="%s" installed="4000000" archive="4000124"/>
  <location href="%s"/>
  <format>
    <rpm:license>GPL-2.0-only</rpm:license>
    <rpm:vendor>Test</rpm:vendor>
    <rpm:group>Development/Debug</rpm:group>
    <rpm:buildhost>builder.example.invalid</rpm:buildhost>
    <rpm:sourcerpm>kernel-%s-%s.src.rpm</rpm:sourcerpm>
    <rpm:header-range start="4504" end="61250"/>
    <rpm:provides>
      <rpm:entry name="%s" flags="EQ" epoch="0" ver="%s" rel="%s"/>
    </rpm:provides>
    <file>/usr/lib/debug/.build-id</file>
  </format>
</package>
`, p.name, p.arch, p.ver, p.rel, p.sumType, p.sum, p.name, p.name, p.size, p.href, p.ver, p.rel, p.name, p.ver, p.rel)
	}
	b.WriteString("</metadata>\n")
	return b.Bytes()
}

// compress compresses data as format: "gz", "xz", "zst" or "" (plain);
// "bz2" returns testdata/primary-rhel9.xml.bz2, whatever data is.
func compress(t testing.TB, format string, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	switch format {
	case "":
		return data
	case "gz":
		w := gzip.NewWriter(&b)
		w.Write(data)
		w.Close()
	case "xz":
		w, err := xz.NewWriter(&b)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
		w.Close()
	case "zst":
		w, err := zstd.NewWriter(&b)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
		w.Close()
	case "bz2":
		// The standard library reads bzip2 but does not write it: the
		// one bzip2 file is testdata's, made with bzip2 -9.
		data, err := os.ReadFile(filepath.Join("testdata", "primary-rhel9.xml.bz2"))
		if err != nil {
			t.Fatal(err)
		}
		return data
	default:
		t.Fatalf("unknown format %q", format)
	}
	return b.Bytes()
}

// mdOpts says how makeRepo writes repomd.xml.
type mdOpts struct {
	format   string // compression of primary: gz, xz, zst, bz2, "" (plain)
	cpe      string // <distro cpeid>, if any
	href     string // primary's href; default repodata/SUM-primary.xml.EXT
	sumType  string // default sha256
	sum      string // default the right one
	size     string // default the right one
	openSize string // default the right one
}

// makeRepo returns the files of a repository whose primary.xml is
// primary: repodata/repomd.xml and the compressed primary.
func makeRepo(t testing.TB, primary []byte, o mdOpts) map[string][]byte {
	t.Helper()
	stored := compress(t, o.format, primary)
	if o.format == "bz2" {
		primary = bunzip2(t, stored)
	}
	sum := sha256Hex(stored)
	if o.sumType == "" {
		o.sumType = "sha256"
	}
	if o.sum == "" {
		o.sum = sum
		if o.sumType == "sha512" {
			s := sha512.Sum512(stored)
			o.sum = hex.EncodeToString(s[:])
		}
	}
	if o.size == "" {
		o.size = fmt.Sprint(len(stored))
	}
	if o.openSize == "" {
		o.openSize = fmt.Sprint(len(primary))
	}
	ext := ".xml"
	if o.format != "" {
		ext += "." + o.format
	}
	href := "repodata/" + sum + "-primary" + ext
	if o.href == "" {
		o.href = href
	}
	var tags string
	if o.cpe != "" {
		tags = fmt.Sprintf("  <tags>\n    <content>binary-x86_64</content>\n    <distro cpeid=%q>Test</distro>\n  </tags>\n", o.cpe)
	}
	md := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1700000000</revision>
%s  <data type="primary">
    <checksum type="%s">%s</checksum>
    <open-checksum type="sha256">%s</open-checksum>
    <location href="%s"/>
    <timestamp>1700000000</timestamp>
    <size>%s</size>
    <open-size>%s</open-size>
  </data>
  <data type="filelists">
    <checksum type="sha256">%s</checksum>
    <location href="repodata/%s-filelists.xml.gz"/>
    <size>284</size>
    <open-size>391</open-size>
  </data>
</repomd>
`, tags, o.sumType, o.sum, sha256Hex(primary), o.href, o.size, o.openSize, sha256Hex(nil), sha256Hex(nil))
	return map[string][]byte{"repodata/repomd.xml": []byte(md), href: stored}
}

// fedoraPackages is a Fedora debug repository's kernel packages among
// others.
var fedoraPackages = []pkg{
	{name: "bash-debuginfo", arch: "x86_64", ver: "5.2.21", rel: "1.fc39"},
	{name: "kernel-debuginfo", arch: "x86_64", ver: "6.5.6", rel: "300.fc39"},
	{name: "kernel-debuginfo-common-x86_64", arch: "x86_64", ver: "6.5.6", rel: "300.fc39"},
	{name: "kernel-debug-debuginfo", arch: "x86_64", ver: "6.5.6", rel: "300.fc39"},
	{name: "kernel-tools-debuginfo", arch: "x86_64", ver: "6.5.6", rel: "300.fc39"},
	{name: "kernel-tools-libs-debuginfo", arch: "x86_64", ver: "6.5.6", rel: "300.fc39"},
	{name: "kernel-headers", arch: "x86_64", ver: "6.5.6", rel: "300.fc39"},
	{name: "kernel-debuginfo", arch: "src", ver: "6.5.6", rel: "300.fc39"},
	{name: "kernel-doc", arch: "noarch", ver: "6.5.6", rel: "300.fc39"},
	{name: "kernel-debuginfo", arch: "ppc64le", ver: "6.5.6", rel: "300.fc39"},
	{name: "kernel-debuginfo", arch: "aarch64", ver: "6.5.6", rel: "300.fc39"},
	{name: "zlib-debuginfo", arch: "x86_64", ver: "1.2.13", rel: "4.fc39"},
}

func bunzip2(t testing.TB, data []byte) []byte {
	t.Helper()
	out, err := io.ReadAll(bzip2.NewReader(bytes.NewReader(data)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rhel9Packages are the packages of testdata/primary-rhel9.xml.bz2.
var rhel9Packages = []pkg{
	{name: "kernel-rt-debuginfo", arch: "x86_64", ver: "5.14.0", rel: "70.13.1.rt21.83.el9_0"},
	{name: "kernel-debuginfo", arch: "x86_64", ver: "5.14.0", rel: "70.13.1.el9_0"},
	{name: "kernel-debuginfo", arch: "x86_64", ver: "5.14.0", rel: "70.13.1.el9_0"},
}
