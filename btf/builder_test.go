package btf

import (
	"bytes"
	"errors"
	"testing"
)

// allKinds builds a spec with every kind and kind-flag case.
func allKinds(tb testing.TB) *Spec {
	tb.Helper()
	b := NewBuilder(nil)
	i32 := b.AddInt("int", 4, IntSigned, 32) // 1
	u8 := b.AddInt("unsigned char", 1, 0, 8) // 2
	b.AddInt("_Bool", 1, IntBool, 8)         // 3
	b.AddInt("char", 1, IntChar, 8)          // 4
	ptr := b.AddPointer(0)                   // 5: void *
	arr := b.AddArray(u8, i32, 16)           // 6
	fwd := b.AddFwd("fwd_union", true)       // 7
	fwdp := b.AddPointer(fwd)                // 8
	s := b.AddStruct("s", 24, []Member{      // 9
		{Name: "a", Type: i32},
		{Name: "b", Type: u8, BitOffset: 32, BitfieldSize: 3},
		{Name: "", Type: 10, BitOffset: 64},
		{Name: "buf", Type: arr, BitOffset: 64},
		{Name: "p", Type: fwdp, BitOffset: 128},
	})
	b.AddUnion("", 4, []Member{{Name: "x", Type: i32}, {Name: "y", Type: u8}})                                  // 10
	b.AddEnum("e", 4, true, []EnumValue{{Name: "E_NEG", Value: uint64(0xffffffff)}, {Name: "E_ONE", Value: 1}}) // 11
	b.AddEnum64("e64", 8, false, []EnumValue{{Name: "BIG", Value: 1 << 63}})                                    // 12
	td := b.AddTypedef("s_t", s)                                                                                // 13
	b.AddQualifier(KindVolatile, i32)                                                                           // 14
	c := b.AddQualifier(KindConst, td)                                                                          // 15
	b.AddQualifier(KindRestrict, ptr)                                                                           // 16
	proto := b.AddFuncProto(i32, []Param{{Name: "x", Type: c}, {}})                                             // 17
	fn := b.AddFunc("f", proto, LinkageGlobal)                                                                  // 18
	v := b.AddVar("v", i32, LinkageStatic)                                                                      // 19
	b.AddDatasec(".data", 4, []VarSecinfo{{Type: v, Offset: 0, Size: 4}})                                       // 20
	b.AddFloat("double", 8)                                                                                     // 21
	b.AddDeclTag("tag", s, 1, false)                                                                            // 22
	b.AddDeclTag("ftag", fn, -1, false)                                                                         // 23
	b.AddTypeTag("user", i32, false)                                                                            // 24
	spec, err := b.Spec()
	if err != nil {
		tb.Fatal(err)
	}
	return spec
}

func TestBuilderAllKinds(t *testing.T) {
	s := allKinds(t)
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.NumTypes() != 24 {
		t.Fatalf("NumTypes = %d, want 24", s.NumTypes())
	}
	kinds := map[Kind]bool{}
	for ty := range s.Types() {
		kinds[ty.Kind()] = true
	}
	for k := KindInt; k <= MaxKind; k++ {
		if !kinds[k] {
			t.Errorf("kind %s missing", k)
		}
	}
	st, err := s.TypeByName("s", KindStruct)
	if err != nil {
		t.Fatal(err)
	}
	m := st.Member(1)
	if m.Name != "b" || m.BitOffset != 32 || m.BitfieldSize != 3 || !st.KindFlag() {
		t.Errorf("bitfield member = %+v", m)
	}
	e, _ := s.Type(11)
	if v := e.EnumValue(0); int32(v.Value) != -1 || !e.KindFlag() {
		t.Errorf("signed enum value = %+v", v)
	}
	e64, _ := s.Type(12)
	if v := e64.EnumValue(0); v.Value != 1<<63 {
		t.Errorf("enum64 value = %#x", v.Value)
	}
	if sz, err := s.ResolveSize(15); err != nil || sz != 24 {
		t.Errorf("ResolveSize(const s_t) = %d, %v", sz, err)
	}
	if sz, err := s.ResolveSize(6); err != nil || sz != 16 {
		t.Errorf("ResolveSize(array) = %d, %v", sz, err)
	}
	again, err := Decode(s.Marshal(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Marshal(nil), s.Marshal(nil)) {
		t.Fatal("round trip of built spec differs")
	}
}

func TestBuilderSplit(t *testing.T) {
	base := allKinds(t)
	b := NewBuilder(base)
	if b.NextID() != 25 {
		t.Fatalf("split NextID = %d, want 25", b.NextID())
	}
	p := b.AddPointer(9)
	b.AddTypedef("int", 1)
	split, err := b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if split.FirstID() != 25 || split.NumTypes() != 2 {
		t.Fatalf("FirstID %d NumTypes %d", split.FirstID(), split.NumTypes())
	}
	// "int" is in the base's strings, but a split string section starts
	// empty as in libbpf; the new name goes to the split part.
	ty, _ := split.Type(p + 1)
	if ty.Name() != "int" || ty.NameOff() < base.StringBase()+uint32(base.StringsSize()) {
		t.Errorf("split typedef name %q at %d", ty.Name(), ty.NameOff())
	}
	ids := split.TypeIDsByName("int")
	if len(ids) != 2 || ids[0] != 1 || ids[1] != 26 {
		t.Errorf("TypeIDsByName(int) = %v", ids)
	}
	re, err := Decode(split.Marshal(nil), base)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(re.Marshal(nil), split.Marshal(nil)) {
		t.Fatal("split round trip differs")
	}
	if _, err := Decode(split.Marshal(nil), nil); err == nil {
		t.Fatal("split BTF decoded without its base")
	}
}

func TestBuilderAddSpec(t *testing.T) {
	a := allKinds(t)
	b := NewBuilder(nil)
	first, err := b.AddSpec(a)
	if err != nil || first != 1 {
		t.Fatalf("first AddSpec: %d, %v", first, err)
	}
	second, err := b.AddSpec(a)
	if err != nil || second != 25 {
		t.Fatalf("second AddSpec: %d, %v", second, err)
	}
	merged, err := b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if err := merged.Validate(); err != nil {
		t.Fatal(err)
	}
	// The second copy must describe the same types as the first, with ids
	// shifted by 24.
	for id := second; id < merged.NextID(); id++ {
		got, _ := merged.Type(id)
		want, _ := merged.Type(id - 24)
		if got.Kind() != want.Kind() || got.Name() != want.Name() || got.Vlen() != want.Vlen() || got.Size() != want.Size() {
			t.Fatalf("[%d] %s %q differs from [%d] %s %q", id, got.Kind(), got.Name(), id-24, want.Kind(), want.Name())
		}
		if want.Ref() != 0 && got.Ref() != want.Ref()+24 {
			t.Fatalf("[%d] refers to %d, want %d", id, got.Ref(), want.Ref()+24)
		}
	}
	if merged.StringsSize() != a.StringsSize() {
		t.Errorf("strings were not shared: %d bytes, want %d", merged.StringsSize(), a.StringsSize())
	}
	if _, err := NewBuilder(nil).AddSpec(mustSplit(t, a)); err == nil {
		t.Error("AddSpec accepted split BTF")
	}
}

func mustSplit(t *testing.T, base *Spec) *Spec {
	b := NewBuilder(base)
	b.AddPointer(1)
	s, err := b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTypeByNameErrors checks the errors of lookups by name: ErrNotFound
// for none, ErrMultipleMatches for several, neither a FormatError.
func TestTypeByNameErrors(t *testing.T) {
	b := NewBuilder(nil)
	i := b.AddInt("int", 4, IntSigned, 32)
	b.AddTypedef("dup", i)
	b.AddTypedef("dup", i)
	b.AddTypedef("one", i)
	s, err := b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		kind     Kind
		sentinel error
		msg      string
	}{
		{"one", KindTypedef, nil, ""},
		{"none", KindTypedef, ErrNotFound, `btf: no TYPEDEF named "none": not found`},
		{"one", KindStruct, ErrNotFound, `btf: no STRUCT named "one": not found`},
		{"dup", KindTypedef, ErrMultipleMatches, `btf: 2 types of kind TYPEDEF named "dup": multiple matches`},
	} {
		_, err := s.TypeByName(c.name, c.kind)
		var fe *FormatError
		switch {
		case c.sentinel == nil && err != nil:
			t.Errorf("%s %s: %v", c.kind, c.name, err)
		case c.sentinel != nil && (!errors.Is(err, c.sentinel) || err.Error() != c.msg || errors.As(err, &fe)):
			t.Errorf("%s %s: %v, want %q wrapping %v, not a FormatError", c.kind, c.name, err, c.msg, c.sentinel)
		}
	}
	if ids := s.TypeIDsByName("dup"); len(ids) != 2 {
		t.Errorf("TypeIDsByName(dup) = %v", ids)
	}
}
