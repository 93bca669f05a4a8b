package btf_test

import (
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/btfhub/btfhub/btf"
)

// Build a small spec, encode it, decode it again and walk a struct.
func ExampleBuilder() {
	b := btf.NewBuilder(nil)
	u32 := b.AddInt("unsigned int", 4, 0, 32)
	head := b.AddStruct("list_head", 16, []btf.Member{
		{Name: "next", Type: 3},
		{Name: "prev", Type: 3, BitOffset: 64},
	})
	b.AddPointer(head) // id 3
	b.AddTypedef("u32", u32)
	spec, err := b.Spec()
	if err != nil {
		log.Fatal(err)
	}

	decoded, err := btf.Decode(spec.Marshal(nil), nil)
	if err != nil {
		log.Fatal(err)
	}
	st, err := decoded.TypeByName("list_head", btf.KindStruct)
	if err != nil {
		log.Fatal(err)
	}
	for i := range st.Vlen() {
		m := st.Member(i)
		fmt.Printf("%s at bit %d\n", m.Name, m.BitOffset)
	}
	// Output:
	// next at bit 0
	// prev at bit 64
}

// Count the structs of the running kernel.
func ExampleLoadSpec() {
	spec, err := btf.LoadSpec("/sys/kernel/btf/vmlinux", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	structs := 0
	for t := range spec.Types() {
		if t.Kind() == btf.KindStruct {
			structs++
		}
	}
	fmt.Println(structs > 0)
}

// Decode rejects malformed input with an error naming the type and offset.
func ExampleDecode_error() {
	b := btf.NewBuilder(nil)
	b.AddInt("int", 4, btf.IntSigned, 32)
	spec, err := b.Spec()
	if err != nil {
		log.Fatal(err)
	}
	data := spec.Marshal(nil)
	// Make the INT's info word claim an unknown kind.
	data[24+4+3] = 31
	_, err = btf.Decode(data, nil)
	fmt.Println(err)
	// Output:
	// btf: type [1] at offset 0x1c: unknown kind 31
}

// Load a kernel's BTF as btfhub-archive stores it (xz-compressed), and look
// a struct up by a name that several structs of the kernel share.
func ExampleLoadSpec_xz() {
	spec, err := btf.LoadSpec("../testdata/kernels/6.1.0-53-cloud-amd64.btf.xz", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Println(spec.NumTypes(), "types")
	_, err = spec.TypeByName("perf_aux_event", btf.KindStruct)
	if errors.Is(err, btf.ErrMultipleMatches) {
		for _, id := range spec.TypeIDsByName("perf_aux_event") {
			t, _ := spec.Type(id)
			fmt.Printf("[%d] %s %s, %d bytes\n", id, t.Kind(), t.Name(), t.Size())
		}
	}
	// Output:
	// 95057 types
	// [10735] STRUCT perf_aux_event, 16 bytes
	// [10736] STRUCT perf_aux_event, 16 bytes
	// [10743] STRUCT perf_aux_event, 32 bytes
}
