package dedup

import (
	"testing"

	"github.com/btfhub/btfhub/btf"
)

// TestRemapExt: .BTF.ext strings survive dedup (after the types' strings,
// in libbpf's visit order) and its type ids follow their types.
func TestRemapExt(t *testing.T) {
	s := newStrTab("unused", "int", "f", ".text", "file.c", "return 0;", "0:1")
	spec := mustDecode(t, rawBTF(cat(
		tInt(s.o("int"), 4, btf.IntSigned, 32), // [1]
		tProto(1),                              // [2]
		tFunc(s.o("f"), 2, btf.LinkageGlobal),  // [3]
		tInt(s.o("int"), 4, btf.IntSigned, 32), // [4]
		tProto(4),                              // [5]
		tFunc(s.o("f"), 5, btf.LinkageGlobal),  // [6] duplicate of [3]
	), s.data), nil)
	ext := &btf.Ext{
		FuncInfos: []btf.ExtSection[btf.FuncInfo]{{NameOff: s.o(".text"), Records: []btf.FuncInfo{{TypeID: 6}}}},
		LineInfos: []btf.ExtSection[btf.LineInfo]{{NameOff: s.o(".text"), Records: []btf.LineInfo{
			{FileNameOff: s.o("file.c"), LineOff: s.o("return 0;")}}}},
		CORERelos: []btf.ExtSection[btf.CORERelo]{{NameOff: s.o(".text"), Records: []btf.CORERelo{
			{TypeID: 4, AccessStrOff: s.o("0:1")}}}},
	}
	out, res, err := Dedup(spec, &Options{Ext: ext})
	if err != nil {
		t.Fatal(err)
	}
	if want := "\x00int\x00f\x00.text\x00file.c\x00return 0;\x000:1\x00"; out.Strings() != want {
		t.Errorf("strings %q, want %q", out.Strings(), want)
	}
	got, err := res.RemapExt(ext)
	if err != nil {
		t.Fatal(err)
	}
	if id := got.FuncInfos[0].Records[0].TypeID; id != 3 {
		t.Errorf("func info type id %d, want 3", id)
	}
	if id := got.CORERelos[0].Records[0].TypeID; id != 1 {
		t.Errorf("CO-RE type id %d, want 1", id)
	}
	for _, c := range []struct {
		off  uint32
		want string
	}{
		{got.FuncInfos[0].NameOff, ".text"},
		{got.LineInfos[0].Records[0].FileNameOff, "file.c"},
		{got.LineInfos[0].Records[0].LineOff, "return 0;"},
		{got.CORERelos[0].Records[0].AccessStrOff, "0:1"},
	} {
		if name, err := out.StringAt(c.off); err != nil || name != c.want {
			t.Errorf("string at %d is %q (%v), want %q", c.off, name, err, c.want)
		}
	}
	if ext.FuncInfos[0].Records[0].TypeID != 6 {
		t.Error("RemapExt changed its input")
	}
	// Without Options.Ext, dedup drops the strings only .BTF.ext uses.
	_, res, err = Dedup(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.RemapExt(ext); err == nil {
		t.Error("RemapExt succeeded for strings Dedup never saw")
	}
}
