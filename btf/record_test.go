package btf

import (
	"slices"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

// refsByAccessors lists what RecordRefs must visit in t, from the Type
// accessors: the name, then the type ids and names in record order.
func refsByAccessors(t Type) (names []uint32, types []TypeID) {
	names = append(names, t.NameOff())
	switch k := t.Kind(); k {
	case KindPointer, KindTypedef, KindVolatile, KindConst, KindRestrict, KindFunc, KindVar, KindDeclTag, KindTypeTag:
		types = append(types, t.Ref())
	case KindArray:
		types = append(types, t.Array().Type, t.Array().Index)
	case KindStruct, KindUnion:
		for i := range t.Vlen() {
			names = append(names, t.Member(i).NameOff)
			types = append(types, t.Member(i).Type)
		}
	case KindEnum, KindEnum64:
		for i := range t.Vlen() {
			names = append(names, t.EnumValue(i).NameOff)
		}
	case KindFuncProto:
		types = append(types, t.Ref())
		for i := range t.Vlen() {
			names = append(names, t.Param(i).NameOff)
			types = append(types, t.Param(i).Type)
		}
	case KindDatasec:
		for i := range t.Vlen() {
			types = append(types, t.VarSecinfo(i).Type)
		}
	}
	return names, types
}

// TestRecords checks RecordLen and RecordRefs against the decoder and the
// Type accessors on every type of a spec with every kind and of the
// kernels.
func TestRecords(t *testing.T) {
	specs := map[string]*Spec{"every kind": allKinds(t)}
	for _, name := range testutil.Kernels {
		specs[name] = kernelSpec(t, name)
	}
	for name, s := range specs {
		n := 0
		for typ := range s.Types() {
			raw := typ.Raw()
			if got, ok := RecordLen(raw[1]); !ok || got != len(raw) {
				t.Fatalf("%s: [%d] %s: RecordLen = %d, %v; the record has %d words", name, typ.ID(), typ.Kind(), got, ok, len(raw))
			}
			if InfoKind(raw[1]) != typ.Kind() || InfoVlen(raw[1]) != typ.Vlen() || InfoKindFlag(raw[1]) != typ.KindFlag() {
				t.Fatalf("%s: [%d]: info helpers disagree with Type", name, typ.ID())
			}
			if MakeInfo(typ.Kind(), typ.KindFlag(), typ.Vlen()) != raw[1] {
				t.Fatalf("%s: [%d]: MakeInfo does not rebuild %#x", name, typ.ID(), raw[1])
			}
			var names []uint32
			var types []TypeID
			RecordRefs(raw, func(i int, isType bool) {
				if isType {
					types = append(types, TypeID(raw[i]))
				} else {
					names = append(names, raw[i])
				}
			})
			wantNames, wantTypes := refsByAccessors(typ)
			if !slices.Equal(names, wantNames) || !slices.Equal(types, wantTypes) {
				t.Fatalf("%s: [%d] %s: RecordRefs gives names %v, types %v; want %v, %v", name, typ.ID(), typ.Kind(), names, types, wantNames, wantTypes)
			}
			n++
		}
		t.Logf("%s: %d records", name, n)
	}
	if _, ok := RecordLen(MakeInfo(Kind(20), false, 0)); ok {
		t.Error("RecordLen accepts kind 20")
	}
	if got := WithKindFlag(WithVlen(MakeInfo(KindStruct, true, 7), 3), false); got != MakeInfo(KindStruct, false, 3) {
		t.Errorf("WithVlen/WithKindFlag: %#x", got)
	}
}

// TestAccessorsOfOtherKinds checks the Type accessor contract: an accessor
// that does not apply to a type's kind, or an index out of range, gives
// zero values rather than a panic or another kind's words.
func TestAccessorsOfOtherKinds(t *testing.T) {
	s := allKinds(t)
	for typ := range s.Types() {
		k := typ.Kind()
		for _, i := range []int{-1, 0, 1, typ.Vlen(), 1 << 20} {
			inRange := i >= 0 && i < typ.Vlen()
			if m := typ.Member(i); (!k.IsComposite() || !inRange) && m != (Member{}) {
				t.Errorf("[%d] %s: Member(%d) = %+v", typ.ID(), k, i, m)
			}
			if v := typ.EnumValue(i); (k != KindEnum && k != KindEnum64 || !inRange) && v != (EnumValue{}) {
				t.Errorf("[%d] %s: EnumValue(%d) = %+v", typ.ID(), k, i, v)
			}
			if p := typ.Param(i); (k != KindFuncProto || !inRange) && p != (Param{}) {
				t.Errorf("[%d] %s: Param(%d) = %+v", typ.ID(), k, i, p)
			}
			if v := typ.VarSecinfo(i); (k != KindDatasec || !inRange) && v != (VarSecinfo{}) {
				t.Errorf("[%d] %s: VarSecinfo(%d) = %+v", typ.ID(), k, i, v)
			}
		}
	}
}

// TestRecordWords checks Int.Word and MemberOffsetWord against the Type
// accessors that read them, on every INT and member of the kernels.
func TestRecordWords(t *testing.T) {
	for _, name := range testutil.Kernels {
		for typ := range kernelSpec(t, name).Types() {
			switch {
			case typ.Kind() == KindInt:
				if w := typ.Int().Word(); w != typ.Raw()[3] {
					t.Fatalf("%s: [%d]: Int.Word = %#x, record %#x", name, typ.ID(), w, typ.Raw()[3])
				}
			case typ.Kind().IsComposite() && typ.KindFlag():
				for i := range typ.Vlen() {
					m := typ.Member(i)
					if w := MemberOffsetWord(m.BitfieldSize, m.BitOffset); w != m.RawOffset {
						t.Fatalf("%s: [%d] member %d: MemberOffsetWord = %#x, record %#x", name, typ.ID(), i, w, m.RawOffset)
					}
				}
			}
		}
	}
}

// TestIterators checks Members, Params, EnumValues and VarSecinfos against
// the indexed accessors on every type of a spec with every kind, and that
// they stop when asked.
func TestIterators(t *testing.T) {
	s := allKinds(t)
	for typ := range s.Types() {
		n := 0
		check := func(what string, i int, got, want any) {
			if i != n || got != want {
				t.Errorf("[%d] %s: item %d (%+v) at position %d, want %+v", typ.ID(), what, i, got, n, want)
			}
			n++
		}
		for i, m := range typ.Members() {
			check("Members", i, m, typ.Member(i))
		}
		for i, p := range typ.Params() {
			check("Params", i, p, typ.Param(i))
		}
		for i, v := range typ.EnumValues() {
			check("EnumValues", i, v, typ.EnumValue(i))
		}
		for i, v := range typ.VarSecinfos() {
			check("VarSecinfos", i, v, typ.VarSecinfo(i))
		}
		if n != typ.Vlen() && typ.Kind() != KindFunc {
			t.Errorf("[%d] %s: iterators gave %d items, vlen %d", typ.ID(), typ.Kind(), n, typ.Vlen())
		}
		for range typ.Members() {
			break // must not panic
		}
	}
}
