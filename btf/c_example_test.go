package btf_test

import (
	"fmt"
	"os"

	"github.com/btfhub/btfhub/btf"
)

// ExampleWriteC writes a C header for a small hand-built spec. For a
// kernel, load /sys/kernel/btf/vmlinux with btf.LoadSpec and write it to
// vmlinux.h.
func ExampleWriteC() {
	b := btf.NewBuilder(nil)
	u32 := b.AddInt("unsigned int", 4, 0, 32)
	node := b.NextID()
	ptr := b.AddPointer(node + 1)
	b.AddStruct("node", 16, []btf.Member{
		{Name: "next", Type: ptr, BitOffset: 0},
		{Name: "flags", Type: u32, BitOffset: 64, BitfieldSize: 3},
	})
	s, err := b.Spec()
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := btf.WriteC(os.Stdout, s, &btf.COptions{NoGuard: true}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// struct node {
	// 	struct node *next;
	// 	unsigned int flags: 3;
	// };
}
