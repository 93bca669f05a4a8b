package pkgread

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"
)

var fakeELF = []byte("\x7fELF this stands for a vmlinux")

func TestReadVmlinux(t *testing.T) {
	debFiles := []file{
		{name: "./usr/", typ: tar.TypeDir},
		{name: "./usr/lib/debug/boot/System.map-6.1.0-53-cloud-amd64", data: []byte("map")},
		{name: "./usr/lib/debug/boot/vmlinux-6.1.0-53-cloud-amd64", data: fakeELF},
		{name: "./usr/lib/debug/lib/modules/6.1.0-53-cloud-amd64/kernel/a.ko", data: []byte("ko")},
	}
	rpmFiles := []file{
		{name: "./usr/lib/debug/lib/modules/5.14.0-70.el9.x86_64/vmlinux", typ: tar.TypeSymlink},
		{name: "./usr/lib/debug/lib/modules/5.14.0-70.el9.x86_64/kernel/b.ko.debug", data: []byte("ko")},
		{name: "./usr/lib/debug/lib/modules/5.14.0-70.el9.x86_64/vmlinux", data: fakeELF},
	}
	tests := []struct {
		name, rel, source string
		pkg               []byte
	}{
		{"deb", "6.1.0-53-cloud-amd64", "linux-image-6.1.0-53-cloud-amd64-dbg_6.1.187-1_amd64",
			makeDeb(t, "linux-image-6.1.0-53-cloud-amd64-dbg", debFiles)},
		{"rpm-xz", "5.14.0-70.el9.x86_64", "kernel-debuginfo_5.14.0-70.el9_x86_64", makeRPM(t, "xz", rpmFiles)},
		{"rpm-zstd", "5.14.0-70.el9.x86_64", "kernel-debuginfo_5.14.0-70.el9_x86_64", makeRPM(t, "zstd", rpmFiles)},
		{"rpm-gzip", "5.14.0-70.el9.x86_64", "kernel-debuginfo_5.14.0-70.el9_x86_64", makeRPM(t, "gzip", rpmFiles)},
		{"rpm-plain", "5.14.0-70.el9.x86_64", "kernel-debuginfo_5.14.0-70.el9_x86_64", makeRPM(t, "", rpmFiles)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ReadVmlinux(bytes.NewReader(tt.pkg), tt.name, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if k.Release != tt.rel || k.Source != tt.source || !bytes.Equal(k.ELF, fakeELF) {
				t.Fatalf("got release %q source %q data %q", k.Release, k.Source, k.ELF)
			}
		})
	}
}

func TestVmlinuxRelease(t *testing.T) {
	tests := []struct {
		path, rel string
	}{
		{"./usr/lib/debug/boot/vmlinux-6.1.0-53-amd64", "6.1.0-53-amd64"},
		{"usr/lib/debug/boot/vmlinux-5.15.0-91-generic", "5.15.0-91-generic"},
		{"/usr/lib/debug/lib/modules/4.18.0-348.el8.x86_64/vmlinux", "4.18.0-348.el8.x86_64"},
		{"boot/vmlinux-5.4.0", "5.4.0"},
		{"usr/lib/debug/boot/vmlinux-5.14.21-150500.55.19-default.debug", "5.14.21-150500.55.19-default"},
		{"usr/lib/debug/boot/vmlinux-6.5.6-300.fc39.x86_64+debug", "6.5.6-300.fc39.x86_64+debug"},
		{"usr/lib/debug/boot/vmlinux-.debug", ""},
		{"usr/lib/debug/boot/System.map-6.1.0", ""},
		{"usr/lib/debug/boot/vmlinux-", ""},
		{"usr/lib/debug/lib/modules/x/kernel/vmlinux", ""},
		{"usr/lib/debug/boot/vmlinux-6.1;rm", ""},
		{"vmlinux", ""},
		{"usr/share/boot/vmlinux-../../etc", ""},
	}
	for _, tt := range tests {
		rel, ok := VmlinuxRelease(tt.path)
		if rel != tt.rel || ok != (tt.rel != "") {
			t.Errorf("VmlinuxRelease(%q) = %q, %v; want %q", tt.path, rel, ok, tt.rel)
		}
	}
}

func TestReadVmlinuxRejects(t *testing.T) {
	// Incompressible content, so that truncating the package cuts it.
	content := make([]byte, 64<<10)
	rand.NewChaCha8([32]byte{1}).Read(content)
	deb := makeDeb(t, "p", []file{{name: "usr/lib/debug/boot/vmlinux-6.1.0", data: content}})
	rpm := makeRPM(t, "xz", []file{{name: "usr/lib/debug/lib/modules/5.14/vmlinux", data: content}})
	corrupt := bytes.Clone(deb)
	// Flip bytes in the middle of data.tar.xz.
	data := bytes.Index(corrupt, []byte("data.tar.xz")) + arHeaderSize
	for i := data + 60; i < data+120; i++ {
		corrupt[i] ^= 0x55
	}
	badRPMHeader := bytes.Clone(rpm)
	// Claim an absurd number of header tags.
	copy(badRPMHeader[rpmLeadSize+8:], []byte{0xff, 0xff, 0xff, 0xff})
	tests := []struct {
		name string
		in   []byte
		lim  Limits
		want error
		msg  string
	}{
		{"empty", nil, Limits{}, ErrUnknownFormat, "unknown package format"},
		{"text", []byte("hello, world"), Limits{}, ErrUnknownFormat, "unknown package format"},
		{"truncated deb", deb[:len(deb)/2], Limits{}, ErrFormat, "deb"},
		{"truncated rpm", rpm[:len(rpm)/2], Limits{}, ErrFormat, "rpm"},
		{"corrupt deb", corrupt, Limits{}, ErrFormat, "xz"},
		{"rpm header", badRPMHeader, Limits{}, ErrFormat, "signature header"},
		{"too large", deb, Limits{MaxEntry: 64<<10 - 1}, ErrTooLarge, "vmlinux-6.1.0"},
		{"no vmlinux", makeDeb(t, "p", []file{{name: "usr/a", data: []byte("a")}}), Limits{}, ErrNoVmlinux, "no vmlinux"},
		{"ar header", []byte(arMagic + "debian-binary   xx"), Limits{}, ErrFormat, "truncated member header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadVmlinux(bytes.NewReader(tt.in), "pkg.deb", tt.lim)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "pkg.deb: ") {
				t.Fatalf("err = %v, want %v mentioning %q", err, tt.want, tt.msg)
			}
		})
	}
}

// TestWalkDeb lists every entry of a synthetic package, in order.
func TestWalkDeb(t *testing.T) {
	deb := makeDeb(t, "p", []file{
		{name: "./a", data: []byte("1")},
		{name: "../../etc/passwd", data: []byte("2")},
		{name: "/abs", typ: tar.TypeSymlink},
	})
	p, err := Open(bytes.NewReader(deb))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var names []string
	for {
		e, err := p.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, e.Name)
	}
	// Names are made relative and clean: they cannot escape anything.
	if got := strings.Join(names, ","); got != "a,etc/passwd,abs" {
		t.Fatalf("names %s", got)
	}
}

// TestEntryReadAll reads entries of every size class: empty, within the
// first read, past it, shorter than stated, and over the limit.
func TestEntryReadAll(t *testing.T) {
	big := bytes.Repeat([]byte("vmlinux!"), (64<<20)/8+1000) // past the first 64 MiB
	tests := []struct {
		name    string
		stated  int64
		content []byte
		lim     Limits
		err     error
		msg     string
	}{
		{"empty", 0, nil, Limits{}, nil, ""},
		{"small", 5, []byte("hello"), Limits{}, nil, ""},
		{"past the first read", int64(len(big)), big, Limits{}, nil, ""},
		{"short", 10, []byte("hello"), Limits{}, ErrFormat, "x.ko: malformed package: content truncated at 5 of 10 bytes"},
		{"short after the first read", int64(len(big)) + 3, big, Limits{}, ErrFormat, "truncated at 67116864 of 67116867 bytes"},
		{"over the limit", 100, make([]byte, 100), Limits{MaxEntry: 99}, ErrTooLarge, "x.ko: 100 bytes"},
	}
	readBuffer := func(e *Entry, lim Limits) ([]byte, error) {
		b, err := e.ReadBuffer(lim)
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { b.Close() })
		return b.Bytes(), nil
	}
	for _, tt := range tests {
		for name, read := range map[string]func(*Entry, Limits) ([]byte, error){"ReadAll": (*Entry).ReadAll, "ReadBuffer": readBuffer} {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				e := &Entry{Name: "x.ko", Size: tt.stated, r: bytes.NewReader(tt.content)}
				got, err := read(e, tt.lim)
				if tt.err != nil {
					if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.msg) {
						t.Fatalf("err = %v, want %v containing %q", err, tt.err, tt.msg)
					}
					return
				}
				if err != nil || !bytes.Equal(got, tt.content) || int64(len(got)) != tt.stated {
					t.Fatalf("got %d bytes, err %v", len(got), err)
				}
			})
		}
	}
}

// TestBufferDiscard gives back a range of a large buffer: on Linux, the
// whole pages inside it read as zeros and the rest is kept; a small
// buffer, held in the heap, keeps everything.
func TestBufferDiscard(t *testing.T) {
	for _, size := range []int{4 << 10, mapThreshold + 12345} {
		content := bytes.Repeat([]byte{0xa5}, size)
		e := &Entry{Name: "vmlinux", Size: int64(size), r: bytes.NewReader(content)}
		b, err := e.ReadBuffer(Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if size >= mapThreshold && runtime.GOOS == "linux" && !b.mapped {
			t.Errorf("size %d: held in the heap, not mapped", size)
		}
		page := os.Getpagesize()
		off, n := int64(page+100), int64(3*page)
		b.Discard(off, n)
		b.Discard(-1, 10)             // outside: ignored
		b.Discard(int64(size)-10, 20) // past the end: ignored
		got := b.Bytes()
		zeros := 0
		for i, c := range got {
			inside := int64(i) >= int64(2*page) && int64(i) < int64(4*page)
			switch {
			case c == 0 && (!inside || !b.mapped || runtime.GOOS != "linux"):
				t.Fatalf("size %d: byte %d discarded", size, i)
			case c == 0:
				zeros++
			case c != 0xa5:
				t.Fatalf("size %d: byte %d = %#x", size, i, c)
			}
		}
		if b.mapped && runtime.GOOS == "linux" && zeros != 2*page {
			t.Errorf("size %d: %d bytes discarded, want the %d of the 2 whole pages inside", size, zeros, 2*page)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		if err := b.Close(); err != nil || b.Bytes() != nil {
			t.Errorf("second Close: %v, %d bytes left", err, len(b.Bytes()))
		}
	}
	var nilBuf *Buffer
	if err := nilBuf.Close(); err != nil {
		t.Error(err)
	}
}
