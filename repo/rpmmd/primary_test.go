package rpmmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/repo"
)

// collect parses primary.xml and returns the packages wantName accepts.
func collect(t testing.TB, data []byte) ([]rawPackage, int, error) {
	t.Helper()
	var got []rawPackage
	n, err := parsePrimary(context.Background(), bytes.NewReader(data), wantName, func(p *rawPackage) error {
		got = append(got, *p)
		return nil
	})
	return got, n, err
}

func TestParsePrimaryMany(t *testing.T) {
	// A debug repository's worth of packages, the kernel ones among them.
	var pkgs []pkg
	for i := 0; i < 3000; i++ {
		pkgs = append(pkgs, pkg{name: fmt.Sprintf("lib%d-debuginfo", i), arch: "x86_64", ver: "1.0", rel: fmt.Sprintf("%d.fc39", i)})
		if i%1000 == 0 {
			pkgs = append(pkgs, fedoraPackages...)
		}
	}
	got, n, err := collect(t, primaryXML(pkgs))
	if err != nil {
		t.Fatal(err)
	}
	if n != len(pkgs) {
		t.Errorf("read %d packages, want %d", n, len(pkgs))
	}
	var names []string
	for _, p := range got[:len(got)/3] {
		names = append(names, p.name+"."+p.arch)
	}
	want := "kernel-debuginfo.x86_64 kernel-debuginfo-common-x86_64.x86_64 kernel-debug-debuginfo.x86_64 " +
		"kernel-tools-debuginfo.x86_64 kernel-tools-libs-debuginfo.x86_64 kernel-debuginfo.src " +
		"kernel-debuginfo.ppc64le kernel-debuginfo.aarch64"
	if strings.Join(names, " ") != want || len(got) != 24 {
		t.Errorf("got %d: %s\nwant 24, starting %s", len(got), strings.Join(names, " "), want)
	}
	p := got[0]
	if p.ver != "6.5.6" || p.rel != "300.fc39" || p.epoch != "0" || p.sumType != "sha256" ||
		p.sum != sha256Hex([]byte("kernel-debuginfo-6.5.6-300.fc39.x86_64")) || p.size != "123456" ||
		p.href != "Packages/kernel-debuginfo-6.5.6-300.fc39.x86_64.rpm" || p.base != "" {
		t.Errorf("first package %+v", p)
	}
}

func TestParsePrimaryShapes(t *testing.T) {
	const head = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="1">`
	kernel := `<name>kernel-debuginfo</name><arch>x86_64</arch><version epoch="1" ver="6.1" rel="1.fc39"/>` +
		`<checksum type="sha256" pkgid="YES">ab</checksum><size package="7"/><location xml:base="http://other.test/x" href="k.rpm"/>`
	for _, tc := range []struct {
		name, doc string
		want      int // packages given to fn
		err       string
	}{
		{"ok", head + `<package type="rpm">` + kernel + `</package></metadata>`, 1, ""},
		{"fields in another order", head + `<package type="rpm"><location href="k.rpm"/><arch>x86_64</arch><name>kernel-debuginfo</name></package></metadata>`, 1, ""},
		{"not type rpm", head + `<package type="drpm">` + kernel + `</package></metadata>`, 0, ""},
		{"no name", head + `<package type="rpm"><arch>x86_64</arch></package></metadata>`, 0, ""},
		{"nested name ignored", head + `<package type="rpm"><format><name>kernel-debuginfo</name></format></package></metadata>`, 0, ""},
		{"other namespace ignored", head + `<package type="rpm"><rpm:name>kernel-debuginfo</rpm:name></package></metadata>`, 0, ""},
		{"no namespace", `<metadata><package type="rpm"><name>kernel-debuginfo</name></package></metadata>`, 1, ""},
		{"CDATA", head + `<package type="rpm"><name><![CDATA[kernel-]]>debuginfo</name></package></metadata>`, 1, ""},
		{"empty", "", 0, "no <metadata>"},
		{"wrong root", `<repomd><package type="rpm"><name>kernel-debuginfo</name></package></repomd>`, 0, "not <metadata>"},
		{"truncated", head + `<package type="rpm">` + kernel, 0, "unexpected EOF"},
		{"mismatched", head + `<package type="rpm"></metadata>`, 0, "syntax error"},
		{"entity", head + `<package type="rpm"><name>&kernel;</name></package></metadata>`, 0, "entity"},
		{"deep", head + strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100) + `</metadata>`, 0, "nest deeper"},
		{"long name", head + `<package type="rpm"><name>kernel-` + strings.Repeat("x", 5000) + `</name></package></metadata>`, 0, "longer than 4096"},
		{"long text", head + `<package type="rpm"><description>` + strings.Repeat("x", maxToken+1) + `</description></package></metadata>`, 0, "longer than"},
		{"long tag", head + `<package type="rpm" x="` + strings.Repeat("x", maxToken+1) + `"></package></metadata>`, 0, "longer than"},
		{"latin1", `<?xml version="1.0" encoding="ISO-8859-1"?><metadata></metadata>`, 0, "CharsetReader is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := collect(t, []byte(tc.doc))
			if tc.err == "" && err != nil {
				t.Fatal(err)
			}
			if tc.err != "" && (!errors.Is(err, repo.ErrMetadata) || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("err = %v, want ErrMetadata with %q", err, tc.err)
			}
			if len(got) != tc.want {
				t.Fatalf("got %d packages, want %d: %+v", len(got), tc.want, got)
			}
		})
	}
}

func TestParsePrimaryKeepsAttributes(t *testing.T) {
	doc := `<metadata xmlns="http://linux.duke.edu/metadata/common"><package type="rpm"><name>kernel-debuginfo</name>` +
		`<location xml:base="http://other.test/x" href="k.rpm"/></package></metadata>`
	got, _, err := collect(t, []byte(doc))
	if err != nil || len(got) != 1 || got[0].base != "http://other.test/x" || got[0].href != "k.rpm" {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestParsePrimaryCallbackError(t *testing.T) {
	stop := errors.New("stop")
	_, err := parsePrimary(context.Background(), bytes.NewReader(primaryXML(fedoraPackages)), wantName,
		func(*rawPackage) error { return stop })
	if err != stop {
		t.Fatalf("err = %v, want the callback's", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var many []pkg
	for i := 0; i < 2*ctxEvery; i++ {
		many = append(many, pkg{name: "a", arch: "x86_64", ver: "1", rel: "1"})
	}
	_, err = parsePrimary(ctx, bytes.NewReader(primaryXML(many)), wantName, func(*rawPackage) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestDecompress(t *testing.T) {
	for _, format := range []string{"", "gz", "xz", "zst", "bz2"} {
		t.Run("format "+format, func(t *testing.T) {
			doc := primaryXML(fedoraPackages)
			if format == "bz2" {
				doc = primaryXML(rhel9Packages)
			}
			data := compress(t, format, doc)
			href := "repodata/x-primary.xml"
			if format != "" {
				href += "." + format
			}
			for _, name := range []string{href, "repodata/x-primary"} {
				r, err := decompress(name, data, int64(len(doc)))
				if err != nil {
					t.Fatal(err)
				}
				var out bytes.Buffer
				if _, err := out.ReadFrom(r); err != nil || !bytes.Equal(out.Bytes(), doc) {
					t.Fatalf("%s: %d bytes, %v", name, out.Len(), err)
				}
				r.Close()
				// One byte less than the content is refused, not cut.
				r, _ = decompress(name, data, int64(len(doc))-1)
				if _, err := out.ReadFrom(r); !errors.Is(err, repo.ErrMetadata) || !strings.Contains(err.Error(), "more than its bound") {
					t.Fatalf("%s: bound: err = %v", name, err)
				}
			}
			if format != "" {
				r, err := decompress(href, data[:len(data)/2], 1<<30)
				if err == nil {
					_, err = bytes.NewBuffer(nil).ReadFrom(r)
				}
				if !errors.Is(err, repo.ErrMetadata) {
					t.Fatalf("truncated: err = %v", err)
				}
			}
		})
	}
	for _, tc := range []struct{ href, data, err string }{
		{"p.xml.gz", "<metadata/>", "named as gzip but its content is plain"},
		{"p.xml", "\x28\xb5\x2f\xfd", "named as plain but its content is zstd"},
		{"p.xml.zck", "\x00ZCK1", "zchunk"},
		{"p.xml.xz", "\xfd7zXZ\x00garbage", "xz"},
	} {
		_, err := decompress(tc.href, []byte(tc.data), 100)
		if !errors.Is(err, repo.ErrMetadata) || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: err = %v, want %q", tc.href, err, tc.err)
		}
	}
}
