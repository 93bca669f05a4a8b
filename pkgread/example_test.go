package pkgread_test

import (
	"bytes"
	"fmt"
	"io"

	"github.com/btfhub/btfhub/internal/pkgtest"
	"github.com/btfhub/btfhub/pkgread"
)

// Read a kernel debug package as a stream, as a download arrives, and find
// its vmlinux without writing anything to disk.
func Example() {
	deb := pkgtest.Deb("linux-image-6.1.0-1-amd64-dbg", "6.1.4-1", "amd64", []pkgtest.File{
		{Name: "./usr/share/doc/linux-image-6.1.0-1-amd64-dbg/changelog.gz", Data: []byte("changes")},
		{Name: "./usr/lib/debug/boot/vmlinux-6.1.0-1-amd64", Data: []byte("\x7fELF...")},
	})
	p, err := pkgread.Open(bytes.NewReader(deb))
	if err != nil {
		panic(err)
	}
	defer p.Close()
	fmt.Println(p.Format, p.Source())
	for {
		e, err := p.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
		if rel, ok := pkgread.VmlinuxRelease(e.Name); ok && e.IsRegular() {
			fmt.Printf("%s: release %s, %d bytes\n", e.Name, rel, e.Size)
		}
	}
	// Output:
	// deb linux-image-6.1.0-1-amd64-dbg_6.1.4-1_amd64
	// usr/lib/debug/boot/vmlinux-6.1.0-1-amd64: release 6.1.0-1-amd64, 7 bytes
}
