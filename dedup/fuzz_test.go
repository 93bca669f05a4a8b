package dedup

import (
	"bytes"
	"encoding/binary"
	"fmt"
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

// FuzzStream feeds a Stream arbitrary words, as its producer hands them
// over before any validation: it must not panic (its passes run on a
// goroutine of their own, where a panic would end the program). When the
// words make a valid type section, added in batches that end at type
// boundaries, Finish must give Dedup's result.
func FuzzStream(f *testing.F) {
	s := newStrTab("int", "s", "next", "x", "e", "V")
	words := cat(
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
	)
	seed := make([]byte, 4*len(words))
	for i, w := range words {
		binary.LittleEndian.PutUint32(seed[4*i:], w)
	}
	f.Add(seed, uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		words := make([]uint32, len(data)/4)
		for i := range words {
			words[i] = binary.LittleEndian.Uint32(data[4*i:])
		}
		spec, err := btf.NewSpecFromRaw(words, s.data, nil, binary.LittleEndian, 0)
		if err != nil {
			// Batches that end anywhere.
			st := NewStream(0)
			for k := 1; k <= 4; k++ {
				st.Add(words[:len(words)*k/4])
			}
			st.wg.Wait()
			return
		}
		_, offs := spec.RawTypes()
		st := NewStream(0)
		n := max(int(step), 1)
		for k := n; k < len(offs); k += n {
			st.Add(words[:offs[k]])
		}
		st.Add(words)
		out, res, err := st.Finish(spec, nil)
		want, wantRes, wantErr := Dedup(spec, nil)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("Finish: %v, Dedup: %v", err, wantErr)
		}
		if err != nil {
			return
		}
		if !bytes.Equal(out.Marshal(nil), want.Marshal(nil)) || fmt.Sprint(res.Mapping) != fmt.Sprint(wantRes.Mapping) {
			t.Fatalf("stream result differs from Dedup's (fallback %q)", st.Fallback())
		}
	})
}
