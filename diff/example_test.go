package diff_test

import (
	"fmt"
	"os"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/diff"
)

// build returns a spec with one struct, whose members f adds.
func build(size uint32, f func(b *btf.Builder, i32, i64 btf.TypeID) []btf.Member) *btf.Spec {
	b := btf.NewBuilder(nil)
	i32 := b.AddInt("int", 4, btf.IntSigned, 32)
	i64 := b.AddInt("long", 8, btf.IntSigned, 64)
	b.AddStruct("task", size, f(b, i32, i64))
	s, err := b.Spec()
	if err != nil {
		panic(err)
	}
	return s
}

// ExampleCompare compares two versions of a struct. For kernels, load
// both with btf.LoadSpec.
func ExampleCompare() {
	old := build(8, func(b *btf.Builder, i32, i64 btf.TypeID) []btf.Member {
		return []btf.Member{{Name: "pid", Type: i32}, {Name: "prio", Type: i32, BitOffset: 32}}
	})
	new := build(16, func(b *btf.Builder, i32, i64 btf.TypeID) []btf.Member {
		return []btf.Member{{Name: "flags", Type: i64}, {Name: "pid", Type: i32, BitOffset: 64}}
	})
	r := diff.Compare(old, new)
	if err := diff.WriteText(os.Stdout, r, "old", "new"); err != nil {
		fmt.Println(err)
	}
	// Output:
	// --- old
	// +++ new
	// 0 added, 0 removed, 1 changed
	//
	// ~ struct task: size 8 -> 16
	//     ~ pid: offset 0 -> 8
	//     - prio: int @4 (4 bytes)
	//     + flags: long @0 (8 bytes)
}
