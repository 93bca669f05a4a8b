package corerel_test

import (
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/testutil"
	"github.com/btfhub/btfhub/objects"
)

// FuzzOpen checks that Open and Relocate never panic, on mutations of real
// objects, and that what Open accepts relocates or fails with an error,
// with its Kconfig externs written or not.
func FuzzOpen(f *testing.F) {
	// Seeds: the smallest objects of one libbpf-tools binary, so that
	// each fuzzing worker starts fast.
	testutil.RequireTool(f, "biolatency")
	objs, err := objects.FindFile("/usr/sbin/biolatency")
	if err != nil {
		f.Fatal(err)
	}
	for _, o := range objs {
		f.Add(o.Data)
	}
	b := btf.NewBuilder(nil)
	b.AddInt("int", 4, btf.IntSigned, 32)
	vmlinux, err := b.Spec()
	if err != nil {
		f.Fatal(err)
	}
	target, err := corerel.NewTarget(vmlinux)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		obj, err := corerel.Open(data)
		if err != nil {
			return
		}
		res, err := corerel.Relocate(obj, target)
		if err != nil {
			return
		}
		if _, err := res.Object(); err != nil {
			return
		}
		res, err = corerel.RelocateWithOptions(obj, target, &corerel.Options{Kconfig: []byte("CONFIG_HZ=250\n"), Release: "6.1.0"})
		if err != nil {
			return
		}
		out, err := res.Object()
		if err != nil {
			return
		}
		if _, err := corerel.Open(out); err != nil && len(res.Externs()) > 0 {
			t.Errorf("the object written with Kconfig values does not open: %v", err)
		}
	})
}
