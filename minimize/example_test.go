package minimize_test

import (
	"fmt"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/minimize"
)

// Cut a kernel's BTF down to what one libbpf-tools program's CO-RE
// relocations read, as a tool that ships BTF for kernels without it does.
func Example() {
	kernel, err := btf.LoadSpec("../testdata/kernels/6.1.0-53-cloud-amd64.btf.xz", nil)
	if err != nil {
		panic(err)
	}
	obj, err := corerel.OpenFile("../testdata/objects/opensnoop.bpf.o")
	if err != nil {
		panic(err)
	}
	res, err := minimize.Minimize(kernel, obj)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d of %d types, %d bytes\n", res.Spec.NumTypes(), kernel.NumTypes(), len(res.Marshal()))
	// Output:
	// 6 of 95057 types, 236 bytes
}
