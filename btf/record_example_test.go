package btf_test

import (
	"fmt"

	"github.com/btfhub/btfhub/btf"
)

// ExampleRecordRefs walks the raw records of a type section and shifts
// every type id, as code that appends one section to another does.
func ExampleRecordRefs() {
	b := btf.NewBuilder(nil)
	i := b.AddInt("int", 4, btf.IntSigned, 32)
	b.AddStruct("pair", 8, []btf.Member{{Name: "a", Type: i}, {Name: "b", Type: i, BitOffset: 32}})
	s, err := b.Spec()
	if err != nil {
		panic(err)
	}
	words, offs := s.RawTypes()
	words = append([]uint32(nil), words...)
	for n := range s.NumTypes() {
		rec := words[offs[n]:offs[n+1]]
		fmt.Printf("%s, %d words:", btf.InfoKind(rec[1]), len(rec))
		btf.RecordRefs(rec, func(i int, isType bool) {
			if isType && rec[i] != 0 {
				rec[i] += 100
				fmt.Printf(" type at word %d now [%d];", i, rec[i])
			}
		})
		fmt.Println()
	}
	// Output:
	// INT, 4 words:
	// STRUCT, 9 words: type at word 4 now [101]; type at word 7 now [101];
}
