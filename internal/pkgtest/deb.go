// Package pkgtest builds small packages and signed repositories for
// tests: a .deb whose payload holds given files, and an APT repository of
// such packages, signed with a key made for the test, served from
// loopback with faults on demand.
package pkgtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"sort"
	"time"
)

// File is a file of a package's payload.
type File struct {
	// Name is its path in the payload ("./usr/lib/debug/boot/vmlinux-R").
	Name string
	// Data is its content.
	Data []byte
}

// Deb builds a .deb (ar archive: debian-binary, control.tar.gz,
// data.tar.gz) of package name, version and arch holding files.
func Deb(name, version, arch string, files []File) []byte {
	control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: test <test@example.org>\nDescription: test package\n", name, version, arch)
	members := []struct {
		name string
		data []byte
	}{
		{"debian-binary", []byte("2.0\n")},
		{"control.tar.gz", gzipBytes(tarBytes([]File{{Name: "./control", Data: []byte(control)}}))},
		{"data.tar.gz", gzipBytes(tarBytes(files))},
	}
	var buf bytes.Buffer
	buf.WriteString("!<arch>\n")
	for _, m := range members {
		fmt.Fprintf(&buf, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", m.name, 0, 0, 0, "100644", len(m.data))
		buf.Write(m.data)
		if len(m.data)%2 == 1 {
			buf.WriteByte('\n')
		}
	}
	return buf.Bytes()
}

// tarBytes makes a tar stream of regular files, sorted by name, with a
// fixed time so that the same files give the same bytes.
func tarBytes(files []File) []byte {
	files = append([]File(nil), files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		tw.WriteHeader(&tar.Header{Name: f.Name, Mode: 0o644, Size: int64(len(f.Data)), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)})
		tw.Write(f.Data)
	}
	tw.Close()
	return buf.Bytes()
}

func gzipBytes(data []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}
