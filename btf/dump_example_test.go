package btf_test

import (
	"log"
	"os"

	"github.com/btfhub/btfhub/btf"
)

// Print a spec as `bpftool btf dump file` does, then as `bpftool -j`.
func ExampleWriteText() {
	b := btf.NewBuilder(nil)
	u32 := b.AddInt("unsigned int", 4, 0, 32)
	b.AddStruct("flags", 4, []btf.Member{
		{Name: "on", Type: u32, BitfieldSize: 1},
		{Name: "mode", Type: u32, BitOffset: 1, BitfieldSize: 3},
	})
	b.AddEnum64("big", 8, true, []btf.EnumValue{{Name: "MINUS_ONE", Value: ^uint64(0)}})
	spec, err := b.Spec()
	if err != nil {
		log.Fatal(err)
	}
	if err := btf.WriteText(os.Stdout, spec); err != nil {
		log.Fatal(err)
	}
	if err := btf.WriteJSON(os.Stdout, spec); err != nil {
		log.Fatal(err)
	}
	// Output:
	// [1] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32 encoding=(none)
	// [2] STRUCT 'flags' size=4 vlen=2
	//	'on' type_id=1 bits_offset=0 bitfield_size=1
	//	'mode' type_id=1 bits_offset=1 bitfield_size=3
	// [3] ENUM64 'big' encoding=SIGNED size=8 vlen=1
	//	'MINUS_ONE' val=-1LL
	// {"types":[{"id":1,"kind":"INT","name":"unsigned int","size":4,"bits_offset":0,"nr_bits":32,"encoding":"(none)"},{"id":2,"kind":"STRUCT","name":"flags","size":4,"vlen":2,"members":[{"name":"on","type_id":1,"bits_offset":0,"bitfield_size":1},{"name":"mode","type_id":1,"bits_offset":1,"bitfield_size":3}]},{"id":3,"kind":"ENUM64","name":"big","encoding":"SIGNED","size":8,"vlen":1,"values":[{"name":"MINUS_ONE","val":-1}]}]}
}
