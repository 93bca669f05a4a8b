package btf

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to Decode, as a base and as split BTF
// over a small base. Whatever decodes must encode back to the same bytes,
// and every accessor and check must run without panicking.
func FuzzDecode(f *testing.F) {
	base := allKinds(f)
	f.Add(base.Marshal(nil), false)
	f.Add(base.Marshal(binary.BigEndian), false)
	f.Add(rawBTF(intWords, intStrs), false)
	f.Add(rawBTF(withWords(1, info(KindTypedef, 0, false), 3, 0, info(KindConst, 0, false), 2), intStrs), false)
	sb := NewBuilder(base)
	sb.AddPointer(9)
	sb.AddStruct("split", 8, []Member{{Name: "p", Type: 25}, {Name: "q", Type: 13, BitOffset: 0}})
	if split, err := sb.Spec(); err == nil {
		f.Add(split.Marshal(nil), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, split bool) {
		var b *Spec
		if split {
			b = base
		}
		s, err := Decode(data, b)
		if err != nil {
			return
		}
		if !bytes.Equal(s.Marshal(nil), data) {
			t.Fatal("Marshal(Decode(x)) != x")
		}
		exercise(s)
		_ = s.Validate()
	})
}

// exercise calls every accessor of every type.
func exercise(s *Spec) {
	for t := range s.Types() {
		_ = t.Name()
		_, _ = s.ResolveSize(t.ID())
		_ = s.SkipQualifiers(t.ID())
		_, _, _, _ = t.Int(), t.Array(), t.Linkage(), t.ComponentIdx()
		for i := range t.Vlen() {
			switch t.Kind() {
			case KindStruct, KindUnion:
				_ = t.Member(i)
			case KindEnum, KindEnum64:
				_ = t.EnumValue(i)
			case KindFuncProto:
				_ = t.Param(i)
			case KindDatasec:
				_ = t.VarSecinfo(i)
			}
		}
	}
	_ = s.Stats()
}
