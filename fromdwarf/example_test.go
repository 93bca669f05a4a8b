package fromdwarf_test

import (
	"fmt"
	"log"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/fromdwarf"
)

// Encode the DWARF of an object file as BTF, and look a struct up.
func ExampleEncodeFile() {
	spec, stats, err := fromdwarf.EncodeFile("testdata/kinds-gcc-dwarf4.o", nil)
	if err != nil {
		log.Fatal(err)
	}
	t, err := spec.TypeByName("bits", btf.KindStruct)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("struct %s: %d bytes, %d members\n", t.Name(), t.Size(), t.Vlen())
	for i := range 3 {
		m := t.Member(i)
		fmt.Printf("  %s: bit offset %d, %d bits\n", m.Name, m.BitOffset, m.BitfieldSize)
	}
	fmt.Println("types before dedup:", stats.TypesBefore, "after:", stats.TypesAfter)
	// Output:
	// struct bits: 16 bytes, 9 members
	//   a: bit offset 0, 3 bits
	//   b: bit offset 3, 5 bits
	//   c: bit offset 8, 7 bits
	// types before dedup: 90 after: 90
}

// Encode for an old kernel or libbpf that knows neither ENUM64 nor the
// tag kinds.
func ExampleParseFeatures() {
	feat, err := fromdwarf.ParseFeatures("enum64,decl_tag,type_tag")
	if err != nil {
		log.Fatal(err)
	}
	spec, _, err := fromdwarf.EncodeFile("testdata/tags-clang-dwarf5.o", &fromdwarf.Options{Features: feat})
	if err != nil {
		log.Fatal(err)
	}
	n := map[btf.Kind]int{}
	for t := range spec.Types() {
		n[t.Kind()]++
	}
	fmt.Println("ENUM64:", n[btf.KindEnum64], "DECL_TAG:", n[btf.KindDeclTag], "TYPE_TAG:", n[btf.KindTypeTag], "VAR:", n[btf.KindVar])
	// Output:
	// ENUM64: 0 DECL_TAG: 0 TYPE_TAG: 0 VAR: 3
}
