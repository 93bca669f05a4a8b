package diff

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/testutil"
)

func kernel(t testing.TB, name string) *btf.Spec {
	t.Helper()
	s, err := btf.Decode(testutil.KernelBTF(t, name), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// namedOf returns the names of the structs of s and their sizes; the
// kernels' struct names are all but unique, and the duplicates are left
// out.
func namedStructs(s *btf.Spec) map[string]uint32 {
	sizes := map[string]uint32{}
	dup := map[string]bool{}
	for t := range s.Types() {
		if t.Kind() != btf.KindStruct || t.Name() == "" {
			continue
		}
		if _, ok := sizes[t.Name()]; ok {
			dup[t.Name()] = true
		}
		sizes[t.Name()] = t.Size()
	}
	for n := range dup {
		delete(sizes, n)
	}
	return sizes
}

// checkStructs checks r against the named structs of a and b, worked out
// independently of Compare: every struct only in A is reported removed,
// every struct only in B added, and every size change reported with its
// old and new size. It returns the changed structs by name.
func checkStructs(t *testing.T, a, b *btf.Spec, r *Report) map[string]*TypeChange {
	t.Helper()
	added, removed, changed := map[string]bool{}, map[string]bool{}, map[string]*TypeChange{}
	for _, x := range r.Added {
		if x.Kind == "struct" {
			added[x.Name] = true
		}
	}
	for _, x := range r.Removed {
		if x.Kind == "struct" {
			removed[x.Name] = true
		}
	}
	for i, x := range r.Changed {
		if x.Kind == "struct" {
			changed[x.Name] = &r.Changed[i]
		}
	}
	sa, sb := namedStructs(a), namedStructs(b)
	for name, size := range sa {
		nsize, ok := sb[name]
		switch {
		case !ok && !removed[name] && len(b.TypeIDsByName(name)) == 0:
			t.Errorf("struct %s is only in A but not reported removed", name)
		case ok && nsize != size:
			c := changed[name]
			if c == nil || c.Size == nil || c.Size.Old != uint64(size) || c.Size.New != uint64(nsize) {
				t.Errorf("struct %s: size %d -> %d not reported (%+v)", name, size, nsize, c)
			}
		}
	}
	for name := range sb {
		if _, ok := sa[name]; !ok && !added[name] && len(a.TypeIDsByName(name)) == 0 {
			t.Errorf("struct %s is only in B but not reported added", name)
		}
	}
	return changed
}

// TestCompareKernels diffs the two testdata kernels and checks the report
// against what can be worked out independently: which structs exist on
// each side, and which changed size.
func TestCompareKernels(t *testing.T) {
	a, b := kernel(t, testutil.Kernels[0]), kernel(t, testutil.Kernels[1])
	r := Compare(a, b)
	changed := checkStructs(t, a, b, r)

	// A member known to have moved between 6.1 and 6.18.
	ts := changed["task_struct"]
	if ts == nil || len(ts.Members) == 0 {
		t.Fatal("task_struct not reported changed")
	}

	// The reverse comparison swaps added and removed.
	rev := Compare(b, a)
	if len(rev.Added) != len(r.Removed) || len(rev.Removed) != len(r.Added) || len(rev.Changed) != len(r.Changed) {
		t.Errorf("reverse: %d/%d/%d, want %d/%d/%d", len(rev.Added), len(rev.Removed), len(rev.Changed),
			len(r.Removed), len(r.Added), len(r.Changed))
	}

	// The JSON decodes into the documented shape.
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r, "6.1", "6.18"); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		A, B    string
		Added   []map[string]any
		Removed []map[string]any
		Changed []struct {
			Kind, Name string
			Size       *struct{ Old, New uint64 }
			Members    []struct {
				Name, Change string
				Old, New     *struct {
					Type         string
					BitOffset    uint64 `json:"bit_offset"`
					BitfieldSize uint32 `json:"bitfield_size"`
					Size         uint64
				}
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.A != "6.1" || len(doc.Added) != len(r.Added) || len(doc.Changed) != len(r.Changed) {
		t.Errorf("JSON: a=%q, %d added, %d changed", doc.A, len(doc.Added), len(doc.Changed))
	}
	for _, c := range doc.Changed {
		if c.Kind == "struct" && c.Name == "task_struct" {
			for _, m := range c.Members {
				if m.Change == "changed" && (m.Old == nil || m.New == nil || m.Old.Type == "") {
					t.Errorf("JSON member %s lacks old or new", m.Name)
				}
			}
		}
	}

	var text bytes.Buffer
	if err := WriteText(&text, r, "6.1", "6.18"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "\n~ struct task_struct: size ") {
		t.Errorf("text lacks task_struct's size change")
	}
	t.Logf("%d added, %d removed, %d changed; text %d bytes, JSON %d bytes",
		len(r.Added), len(r.Removed), len(r.Changed), text.Len(), buf.Len())
}

// TestCompareSame checks that a kernel compared with itself has no
// differences.
func TestCompareSame(t *testing.T) {
	for _, name := range testutil.Kernels {
		s := kernel(t, name)
		if r := Compare(s, kernel(t, name)); !r.Empty() {
			t.Errorf("%s: %d added, %d removed, %d changed", name, len(r.Added), len(r.Removed), len(r.Changed))
		}
	}
}

// pair builds the old and new spec of a hand-built case over the same base
// types.
type builtTypes struct {
	int, uint, long, char, u8 btf.TypeID
}

func buildSpec(t *testing.T, f func(b *btf.Builder, c builtTypes)) *btf.Spec {
	t.Helper()
	b := btf.NewBuilder(nil)
	c := builtTypes{
		int:  b.AddInt("int", 4, btf.IntSigned, 32),
		uint: b.AddInt("unsigned int", 4, 0, 32),
		long: b.AddInt("long", 8, btf.IntSigned, 64),
		char: b.AddInt("char", 1, btf.IntSigned, 8),
		u8:   b.AddInt("u8", 1, 0, 8),
	}
	f(b, c)
	s, err := b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mem(name string, typ btf.TypeID, bits uint32) btf.Member {
	return btf.Member{Name: name, Type: typ, BitOffset: bits}
}

func val(v int64, signed bool) *Value { return &Value{Bits: uint64(v), Signed: signed} }

// TestCompareKinds covers each kind of change on hand-built specs.
func TestCompareKinds(t *testing.T) {
	old := buildSpec(t, func(b *btf.Builder, c builtTypes) {
		b.AddStruct("s", 16, []btf.Member{mem("a", c.int, 0), mem("b", c.int, 32), mem("gone", c.long, 64)})
		anon := b.AddUnion("", 4, []btf.Member{mem("x", c.int, 0), mem("y", c.uint, 0)})
		b.AddStruct("with_anon", 8, []btf.Member{mem("first", c.int, 0), mem("", anon, 32)})
		b.AddStruct("bits", 4, []btf.Member{{Name: "f", Type: c.uint, BitOffset: 0, BitfieldSize: 3}})
		b.AddEnum("e", 4, false, []btf.EnumValue{{Name: "E_A", Value: 0}, {Name: "E_B", Value: 1}, {Name: "E_GONE", Value: 2}})
		b.AddEnum("sgn", 4, true, []btf.EnumValue{{Name: "S_NEG", Value: uint64(uint32(0xffffffff))}})
		b.AddTypedef("t_t", c.int)
		at := b.AddStruct("", 4, []btf.Member{mem("v", c.int, 0)})
		b.AddTypedef("anon_t", at)
		b.AddFunc("fn", b.AddFuncProto(c.int, []btf.Param{{Name: "a", Type: c.int}}), btf.LinkageGlobal)
		b.AddFunc("renamed_params", b.AddFuncProto(c.int, []btf.Param{{Name: "a", Type: c.int}}), btf.LinkageGlobal)
		b.AddVar("v", c.int, btf.LinkageGlobal)
		b.AddFwd("f", false)
		b.AddStruct("only_old", 4, []btf.Member{mem("z", c.int, 0)})
		b.AddEnum("", 4, false, []btf.EnumValue{{Name: "TOP_A", Value: 1}})
		b.AddStruct("same", 4, []btf.Member{mem("z", c.int, 0)})
	})
	new := buildSpec(t, func(b *btf.Builder, c builtTypes) {
		b.AddStruct("same", 4, []btf.Member{mem("z", c.int, 0)})
		b.AddStruct("s", 24, []btf.Member{mem("a", c.long, 0), mem("b", c.int, 64), mem("added", c.char, 96)})
		anon := b.AddUnion("", 8, []btf.Member{mem("x", c.long, 0), mem("y", c.uint, 0)})
		b.AddStruct("with_anon", 16, []btf.Member{mem("first", c.int, 0), mem("", anon, 64)})
		b.AddStruct("bits", 4, []btf.Member{{Name: "f", Type: c.uint, BitOffset: 2, BitfieldSize: 5}})
		b.AddEnum64("e", 8, false, []btf.EnumValue{{Name: "E_A", Value: 0}, {Name: "E_B", Value: 1 << 40}, {Name: "E_NEW", Value: 3}})
		b.AddEnum("sgn", 4, false, []btf.EnumValue{{Name: "S_NEG", Value: uint64(uint32(0xffffffff))}})
		b.AddTypedef("t_t", c.long)
		at := b.AddStruct("", 4, []btf.Member{mem("w", c.int, 0)})
		b.AddTypedef("anon_t", at)
		b.AddFunc("fn", b.AddFuncProto(c.int, []btf.Param{{Name: "a", Type: c.int}, {Name: "b", Type: b.AddPointer(c.char)}}), btf.LinkageStatic)
		b.AddFunc("renamed_params", b.AddFuncProto(c.int, []btf.Param{{Name: "renamed", Type: c.int}}), btf.LinkageGlobal)
		b.AddVar("v", c.u8, btf.LinkageGlobal)
		b.AddFwd("f", true)
		b.AddStruct("only_new", 4, []btf.Member{mem("z", c.int, 0)})
		b.AddEnum("", 4, false, []btf.EnumValue{{Name: "TOP_A", Value: 2}})
	})
	r := Compare(old, new)

	wantAdded := []TypeInfo{{Kind: "struct", Name: "only_new", Size: 4}}
	wantRemoved := []TypeInfo{{Kind: "struct", Name: "only_old", Size: 4}}
	if !reflect.DeepEqual(r.Added, wantAdded) || !reflect.DeepEqual(r.Removed, wantRemoved) {
		t.Errorf("added %+v removed %+v", r.Added, r.Removed)
	}
	u64 := func(o, n uint64) *Uint64Change { return &Uint64Change{Old: o, New: n} }
	str := func(o, n string) *StringChange { return &StringChange{Old: o, New: n} }
	want := []TypeChange{
		{Kind: "enum", Name: "(anon TOP_A)", Values: []ValueChange{{Name: "TOP_A", Change: Changed, Old: val(1, false), New: val(2, false)}}},
		{Kind: "typedef", Name: "anon_t", Members: []MemberChange{
			{Name: "v", Change: Removed, Old: &Member{Type: "int", Size: 4}},
			{Name: "w", Change: Added, New: &Member{Type: "int", Size: 4}},
		}},
		{Kind: "struct", Name: "bits", Members: []MemberChange{
			{Name: "f", Change: Changed, Old: &Member{Type: "unsigned int", BitfieldSize: 3, Size: 4},
				New: &Member{Type: "unsigned int", BitOffset: 2, BitfieldSize: 5, Size: 4}},
		}},
		{Kind: "enum", Name: "e", Size: u64(4, 8), Values: []ValueChange{
			{Name: "E_B", Change: Changed, Old: val(1, false), New: val(1<<40, false)},
			{Name: "E_GONE", Change: Removed, Old: val(2, false)},
			{Name: "E_NEW", Change: Added, New: val(3, false)},
		}},
		{Kind: "fwd", Name: "f", Detail: str("struct", "union")},
		{Kind: "func", Name: "fn", Type: str("int (int a)", "int (int a, char *b)"), Detail: str("global", "static")},
		{Kind: "struct", Name: "s", Size: u64(16, 24), Members: []MemberChange{
			{Name: "a", Change: Changed, Old: &Member{Type: "int", Size: 4}, New: &Member{Type: "long", Size: 8}},
			{Name: "b", Change: Changed, Old: &Member{Type: "int", BitOffset: 32, Size: 4}, New: &Member{Type: "int", BitOffset: 64, Size: 4}},
			{Name: "gone", Change: Removed, Old: &Member{Type: "long", BitOffset: 64, Size: 8}},
			{Name: "added", Change: Added, New: &Member{Type: "char", BitOffset: 96, Size: 1}},
		}},
		{Kind: "enum", Name: "sgn", Detail: str("signed", "unsigned"), Values: []ValueChange{
			{Name: "S_NEG", Change: Changed, Old: val(-1, true), New: val(0xffffffff, false)},
		}},
		{Kind: "typedef", Name: "t_t", Size: u64(4, 8), Type: str("int", "long")},
		{Kind: "var", Name: "v", Size: u64(4, 1), Type: str("int", "u8")},
		{Kind: "struct", Name: "with_anon", Size: u64(8, 16), Members: []MemberChange{
			{Name: "(anon 1)", Change: Changed, Old: &Member{Type: "union {...}", BitOffset: 32, Size: 4},
				New: &Member{Type: "union {...}", BitOffset: 64, Size: 8}},
			{Name: "(anon 1).x", Change: Changed, Old: &Member{Type: "int", BitOffset: 32, Size: 4},
				New: &Member{Type: "long", BitOffset: 64, Size: 8}},
			{Name: "(anon 1).y", Change: Changed, Old: &Member{Type: "unsigned int", BitOffset: 32, Size: 4},
				New: &Member{Type: "unsigned int", BitOffset: 64, Size: 4}},
		}},
	}
	if len(r.Changed) != len(want) {
		for _, c := range r.Changed {
			t.Logf("changed: %s %s", c.Kind, c.Name)
		}
		t.Fatalf("%d changed types, want %d", len(r.Changed), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(r.Changed[i], want[i]) {
			g, _ := json.Marshal(r.Changed[i])
			w, _ := json.Marshal(want[i])
			t.Errorf("change %d:\n got %s\nwant %s", i, g, w)
		}
	}

	var text bytes.Buffer
	if err := WriteText(&text, r, "old", "new"); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"1 added, 1 removed, 11 changed",
		"- struct only_old (4 bytes)",
		"+ struct only_new (4 bytes)",
		"~ struct s: size 16 -> 24",
		"    ~ a: type int -> long, size 4 -> 8",
		"    ~ b: offset 4 -> 8",
		"    - gone: long @8 (8 bytes)",
		"    + added: char @12 (1 bytes)",
		"    ~ f: offset 0:0 -> 0:2, bits 3 -> 5",
		"    ~ S_NEG: -1 -> 4294967295",
		"~ func fn: global -> static\n    - int (int a)\n    + int (int a, char *b)",
	} {
		if !strings.Contains(text.String(), line) {
			t.Errorf("text lacks %q:\n%s", line, text.String())
		}
	}
}

// TestCompareDuplicates checks that of several types with one name,
// identical ones are paired first.
func TestCompareDuplicates(t *testing.T) {
	old := buildSpec(t, func(b *btf.Builder, c builtTypes) {
		b.AddFunc("dup", b.AddFuncProto(c.int, nil), btf.LinkageStatic)
		b.AddFunc("dup", b.AddFuncProto(c.long, nil), btf.LinkageStatic)
	})
	new := buildSpec(t, func(b *btf.Builder, c builtTypes) {
		b.AddFunc("dup", b.AddFuncProto(c.long, nil), btf.LinkageStatic)
		b.AddFunc("dup", b.AddFuncProto(c.char, nil), btf.LinkageStatic)
		b.AddFunc("dup", b.AddFuncProto(c.int, nil), btf.LinkageStatic)
	})
	r := Compare(old, new)
	if len(r.Changed) != 0 || len(r.Removed) != 0 || len(r.Added) != 1 || r.Added[0].Name != "dup" {
		t.Errorf("got %+v", r)
	}
}

// TestBadInput checks that the inputs of a diff that cannot be read give
// an error naming the file.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	good := testutil.KernelBTF(t, testutil.Kernels[0])
	corrupt := filepath.Join(dir, "corrupt.btf")
	bad := append([]byte(nil), good[:len(good)/2]...)
	if err := os.WriteFile(corrupt, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.btf")
	if err := os.WriteFile(garbage, []byte("this is not BTF at all"), 0o644); err != nil {
		t.Fatal(err)
	}

	base := kernel(t, testutil.Kernels[0])
	sb := btf.NewBuilder(base)
	sb.AddStruct("module_thing", 8, []btf.Member{mem("x", 1, 0)})
	split, err := sb.Spec()
	if err != nil {
		t.Fatal(err)
	}
	splitPath := filepath.Join(dir, "split.btf")
	if err := os.WriteFile(splitPath, split.Marshal(nil), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := btf.LoadSpec(splitPath, &btf.LoadOptions{Base: base}); err != nil {
		t.Fatalf("split BTF with its base: %v", err)
	}

	for _, path := range []string{corrupt, garbage, splitPath} {
		_, err := btf.LoadSpec(path, nil)
		if err == nil {
			t.Errorf("%s: no error", path)
			continue
		}
		var fe *btf.FormatError
		if !strings.Contains(err.Error(), path) || (!errors.As(err, &fe) && !errors.Is(err, btf.ErrNotBTF)) {
			t.Errorf("%s: unclear error %v", path, err)
		}
		t.Logf("%v", err)
	}
}

func BenchmarkCompare(b *testing.B) {
	x, y := kernel(b, testutil.Kernels[0]), kernel(b, testutil.Kernels[1])
	for b.Loop() {
		Compare(x, y)
	}
}
