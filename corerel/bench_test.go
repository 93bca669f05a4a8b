package corerel_test

import (
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/testutil"
)

// BenchmarkRelocate measures opening and relocating every libbpf-tools
// object against a testdata kernel (the target indexed once).
func BenchmarkRelocate(b *testing.B) {
	objs := testutil.LibbpfToolsObjects(b)
	vmlinux, err := btf.Decode(testutil.KernelBTF(b, testutil.Kernels[0]), nil)
	if err != nil {
		b.Fatal(err)
	}
	target, _ := corerel.NewTarget(vmlinux)
	b.ReportAllocs()
	for b.Loop() {
		for _, o := range objs {
			obj, err := corerel.Open(o.Data)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := corerel.Relocate(obj, target); err != nil {
				b.Fatal(err)
			}
		}
	}
}
