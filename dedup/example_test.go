package dedup_test

import (
	"fmt"
	"log"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/dedup"
)

// Deduplicate two compilation units that both describe struct list.
func ExampleDedup() {
	b := btf.NewBuilder(nil)
	for range 2 { // the same types, once per compilation unit
		i := b.AddInt("int", 4, btf.IntSigned, 32)
		list := b.NextID()
		ptr := b.AddPointer(list + 1)
		b.AddStruct("list", 16, []btf.Member{
			{Name: "next", Type: ptr},
			{Name: "v", Type: i, BitOffset: 64},
		})
	}
	spec, err := b.Spec()
	if err != nil {
		log.Fatal(err)
	}
	out, res, err := dedup.Dedup(spec, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d types -> %d; [6] is now [%d]\n", res.Before, out.NumTypes(), res.Mapping[6])
	// Output: 6 types -> 3; [6] is now [3]
}
