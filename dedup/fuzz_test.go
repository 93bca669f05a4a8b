package dedup

import (
	"testing"

	"github.com/btfhub/btfhub/btf"
)

// FuzzDedup feeds Dedup every input btf.Decode accepts: it must not panic,
// and where it succeeds its output must decode, be no larger than its
// input, and come with a mapping for every input id.
func FuzzDedup(f *testing.F) {
	s := newStrTab("int", "s", "next", "x", "e", "V")
	f.Add(rawBTF(cat(
		tInt(s.o("int"), 4, btf.IntSigned, 32),
		tStruct(btf.KindStruct, s.o("s"), 16, s.o("next"), 3, 0, s.o("x"), 1, 64),
		tPtr(2),
		tFwd(s.o("s"), false),
		tPtr(4),
		tStruct(btf.KindStruct, s.o("x"), 8, s.o("next"), 5, 0),
		tEnum(s.o("e"), 4),
		tEnum(s.o("e"), 4, s.o("V"), 1),
		tArray(1, 1, 2),
		tArray(1, 1, 2),
		tProto(1, s.o("x"), 9),
	), s.data))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := btf.Decode(data, nil)
		if err != nil {
			return
		}
		out, res, err := Dedup(spec, nil)
		if err != nil {
			return
		}
		if res.After > res.Before {
			t.Fatalf("%d types became %d", res.Before, res.After)
		}
		if _, err := btf.Decode(out.Marshal(nil), nil); err != nil {
			t.Fatalf("output does not decode: %v", err)
		}
		if len(res.Mapping) != int(spec.NextID()) {
			t.Fatalf("mapping has %d entries for %d ids", len(res.Mapping), spec.NextID())
		}
	})
}
