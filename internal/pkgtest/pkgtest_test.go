package pkgtest

import (
	"bytes"
	"testing"

	"github.com/btfhub/btfhub/pkgread"
)

// TestKernelDeb reads a package KernelDeb makes with the package reader
// btfhub uses.
func TestKernelDeb(t *testing.T) {
	p := KernelDeb("6.1.0-53-cloud-amd64", "6.1.187-1", "amd64")
	k, err := pkgread.ReadVmlinux(bytes.NewReader(p.Data), "test.deb", pkgread.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if k.Release != "6.1.0-53-cloud-amd64" || k.Source != "linux-image-6.1.0-53-cloud-amd64-dbg_6.1.187-1_amd64" || !bytes.Equal(k.ELF, Vmlinux()) {
		t.Fatalf("read %s %s, %d bytes of ELF", k.Release, k.Source, len(k.ELF))
	}
	if !bytes.Equal(p.Data, KernelDeb("6.1.0-53-cloud-amd64", "6.1.187-1", "amd64").Data) {
		t.Fatal("the same package twice gives different bytes")
	}
}
