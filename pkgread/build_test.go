package pkgread

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// file is one file of a synthetic package.
type file struct {
	name string
	data []byte
	typ  byte // tar type flag; 0 means regular
}

// makeTar builds a tar stream of files.
func makeTar(t testing.TB, files []file) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: tar.TypeReg}
		if f.typ != 0 {
			h.Typeflag, h.Size = f.typ, 0
			h.Linkname = "target"
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if f.typ == 0 {
			tw.Write(f.data)
		}
	}
	tw.Close()
	return buf.Bytes()
}

func xzBytes(t testing.TB, data []byte) []byte {
	var buf bytes.Buffer
	w, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

func zstdBytes(t testing.TB, data []byte) []byte {
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	return enc.EncodeAll(data, nil)
}

func gzipBytes(data []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

// makeDeb builds a .deb with a control file and a data.tar.xz of files.
func makeDeb(t testing.TB, pkg string, files []file) []byte {
	control := fmt.Sprintf("Package: %s\nVersion: 6.1.187-1\nArchitecture: amd64\nDescription: test\n multi-line\n", pkg)
	members := []struct {
		name string
		data []byte
	}{
		{"debian-binary", []byte("2.0\n")},
		{"control.tar.xz", xzBytes(t, makeTar(t, []file{{name: "./control", data: []byte(control)}}))},
		{"data.tar.xz", xzBytes(t, makeTar(t, files))},
	}
	var buf bytes.Buffer
	buf.WriteString(arMagic)
	for _, m := range members {
		fmt.Fprintf(&buf, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", m.name, 0, 0, 0, "100644", len(m.data))
		buf.Write(m.data)
		if len(m.data)%2 == 1 {
			buf.WriteByte('\n')
		}
	}
	return buf.Bytes()
}

// makeCpio builds a newc cpio stream.
func makeCpio(files []file) []byte {
	var buf bytes.Buffer
	add := func(name string, mode uint32, data []byte) {
		fmt.Fprintf(&buf, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
			1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name)+1, 0)
		buf.WriteString(name)
		buf.WriteByte(0)
		for buf.Len()%4 != 0 {
			buf.WriteByte(0)
		}
		buf.Write(data)
		for buf.Len()%4 != 0 {
			buf.WriteByte(0)
		}
	}
	for _, f := range files {
		mode := uint32(0o100644)
		if f.typ == tar.TypeSymlink {
			mode = 0o120777
		}
		add(f.name, mode, f.data)
	}
	add(cpioTrailer, 0, nil)
	return buf.Bytes()
}

// rpmHeaderBytes builds an RPM header structure of string tags.
func rpmHeaderBytes(tags map[uint32]string, pad bool) []byte {
	var index, store bytes.Buffer
	keys := []uint32{rpmTagName, rpmTagVer, rpmTagRel, rpmTagArch, rpmTagComp}
	n := 0
	for _, k := range keys {
		v, ok := tags[k]
		if !ok {
			continue
		}
		n++
		binary.Write(&index, binary.BigEndian, [4]uint32{k, rpmTypeStr, uint32(store.Len()), 1})
		store.WriteString(v)
		store.WriteByte(0)
	}
	var buf bytes.Buffer
	buf.Write(rpmHeaderMagic)
	buf.Write([]byte{0, 0, 0, 0})
	binary.Write(&buf, binary.BigEndian, uint32(n))
	binary.Write(&buf, binary.BigEndian, uint32(store.Len()))
	buf.Write(index.Bytes())
	buf.Write(store.Bytes())
	if pad {
		for (buf.Len()-16)%8 != 0 {
			buf.WriteByte(0)
		}
	}
	return buf.Bytes()
}

// makeRPM builds an RPM whose payload is a compressed cpio of files.
func makeRPM(t testing.TB, compress string, files []file) []byte {
	var buf bytes.Buffer
	lead := make([]byte, rpmLeadSize)
	copy(lead, rpmLeadMagic)
	buf.Write(lead)
	buf.Write(rpmHeaderBytes(map[uint32]string{rpmTagName: "sig"}, true))
	buf.Write(rpmHeaderBytes(map[uint32]string{
		rpmTagName: "kernel-debuginfo", rpmTagVer: "5.14.0", rpmTagRel: "70.el9",
		rpmTagArch: "x86_64", rpmTagComp: compress,
	}, false))
	payload := makeCpio(files)
	switch compress {
	case "xz":
		payload = xzBytes(t, payload)
	case "zstd":
		payload = zstdBytes(t, payload)
	case "gzip":
		payload = gzipBytes(payload)
	}
	buf.Write(payload)
	return buf.Bytes()
}
