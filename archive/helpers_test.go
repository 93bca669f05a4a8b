package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/testutil"
	"github.com/ulikunitz/xz"
)

// variant returns the raw BTF of a testdata kernel with its strings
// changed slightly: the same types with a few renamed, as consecutive
// kernels differ. Variant 0 is the kernel itself.
func variant(tb testing.TB, kernel string, n int) []byte {
	tb.Helper()
	raw := bytes.Clone(testutil.KernelBTF(tb, kernel))
	if n == 0 {
		return raw
	}
	s, err := btf.Decode(raw, nil)
	if err != nil {
		tb.Fatal(err)
	}
	strOff := len(raw) - s.StringsSize()
	// Rename n identifiers spread over the string table: swap one letter.
	step := s.StringsSize() / (n + 1)
	for i := 1; i <= n; i++ {
		off := strOff + i*step
		for raw[off] < 'a' || raw[off] > 'y' {
			off++
		}
		raw[off]++
	}
	if _, err := btf.Decode(raw, nil); err != nil {
		tb.Fatalf("variant %d: %v", n, err)
	}
	return raw
}

// writeFile writes data to name in dir and returns the path.
func writeFile(tb testing.TB, dir, name string, data []byte) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// tarEntry is one entry of a hand-made tarball.
type tarEntry struct {
	name     string
	typ      byte
	data     []byte
	linkname string
}

// makeTarXZ builds an xz-compressed tar of entries, as a hostile archive
// would.
func makeTarXZ(tb testing.TB, entries ...tarEntry) []byte {
	tb.Helper()
	var tbuf bytes.Buffer
	tw := tar.NewWriter(&tbuf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: 0o644, Size: int64(len(e.data)), Linkname: e.linkname}
		if e.typ == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			tb.Fatal(err)
		}
		tw.Write(e.data)
	}
	tw.Close()
	var buf bytes.Buffer
	xw, _ := xz.NewWriter(&buf)
	xw.Write(tbuf.Bytes())
	xw.Close()
	return buf.Bytes()
}

// makeDeb builds a minimal .deb whose data.tar.xz holds files.
func makeDeb(tb testing.TB, pkg string, files map[string][]byte) []byte {
	tb.Helper()
	var names []string
	for n := range files {
		names = append(names, n)
	}
	var dataTar bytes.Buffer
	tw := tar.NewWriter(&dataTar)
	for _, n := range sortStrings(names) {
		tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg})
		tw.Write(files[n])
	}
	tw.Close()
	var ctlTar bytes.Buffer
	ctl := fmt.Sprintf("Package: %s\nVersion: 1.0\nArchitecture: amd64\n", pkg)
	tw = tar.NewWriter(&ctlTar)
	tw.WriteHeader(&tar.Header{Name: "./control", Mode: 0o644, Size: int64(len(ctl)), Typeflag: tar.TypeReg})
	tw.Write([]byte(ctl))
	tw.Close()
	xzb := func(b []byte) []byte {
		var buf bytes.Buffer
		w, _ := xz.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	var buf bytes.Buffer
	buf.WriteString("!<arch>\n")
	for _, m := range []struct {
		name string
		data []byte
	}{{"debian-binary", []byte("2.0\n")}, {"control.tar.xz", xzb(ctlTar.Bytes())}, {"data.tar.gz", gzipBytes(dataTar.Bytes())}} {
		fmt.Fprintf(&buf, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", m.name, 0, 0, 0, "100644", len(m.data))
		buf.Write(m.data)
		if len(m.data)%2 == 1 {
			buf.WriteByte('\n')
		}
	}
	return buf.Bytes()
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

// vmlinuxELF wraps raw BTF in an ELF file with a linux_banner, as a
// vmlinux carries it.
func vmlinuxELF(tb testing.TB, raw []byte, release string) []byte {
	tb.Helper()
	s, err := btf.Decode(raw, nil)
	if err != nil {
		tb.Fatal(err)
	}
	elf, err := s.MarshalELF(nil)
	if err != nil {
		tb.Fatal(err)
	}
	// The banner after the ELF's end is enough for the release scan.
	return append(elf, []byte("\x00Linux version "+release+" (debian-kernel@lists.debian.org) (gcc-12)\x00")...)
}
