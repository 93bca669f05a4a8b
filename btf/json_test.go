package btf

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

// compareJSONWithBpftool checks that WriteJSON writes what `bpftool -j btf
// dump file PATH` writes, byte for byte once our output is escaped the way
// bpftool escapes strings (see WriteJSON and bpftoolEscapes).
func compareJSONWithBpftool(t *testing.T, path, base string, spec *Spec) {
	t.Helper()
	want := runBpftool(t, path, base, true)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, spec); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	if !json.Valid(buf.Bytes()) {
		t.Fatalf("WriteJSON wrote invalid JSON for %s", path)
	}
	got := bpftoolEscapes(buf.Bytes())
	if bytes.Equal(got, want) {
		return
	}
	i := firstByteDiff(got, want)
	lo := max(i-100, 0)
	t.Errorf("WriteJSON differs from bpftool -j btf dump file %s at byte %d:\n got: %.300q\nwant: %.300q",
		path, i, got[lo:], want[lo:])
}

// bpftoolEscapes rewrites the escapes in WriteJSON's output that bpftool
// 7.1's jsonw_puts writes differently: it writes a backslash as \n, and
// control characters other than \t \n \r \f \b as they are. Every other
// byte of the two outputs must be the same.
func bpftoolEscapes(b []byte) []byte {
	if !bytes.Contains(b, []byte(`\\`)) && !bytes.Contains(b, []byte(`\u00`)) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 == len(b) {
			out = append(out, b[i])
			continue
		}
		switch b[i+1] {
		case '\\':
			out = append(out, '\\', 'n')
			i++
		case 'u':
			// WriteJSON only writes \u00XX, for bytes below 0x20.
			if i+6 > len(b) {
				return append(out, b[i:]...)
			}
			v, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 8)
			if err != nil {
				out = append(out, b[i:i+6]...)
			} else {
				out = append(out, byte(v))
			}
			i += 5
		default:
			out = append(out, b[i], b[i+1])
			i++
		}
	}
	return out
}

func firstByteDiff(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// jsonDump is the document WriteJSON writes, for decoding in tests.
type jsonDump struct {
	Types []struct {
		ID     uint32 `json:"id"`
		Kind   string `json:"kind"`
		Name   string `json:"name"`
		Values []struct {
			Name string      `json:"name"`
			Val  json.Number `json:"val"`
		} `json:"values"`
	} `json:"types"`
}

func TestWriteJSONDecodes(t *testing.T) {
	b := NewBuilder(nil)
	i := b.AddInt("int", 4, IntSigned, 32)
	names := []string{"plain", `quote"`, `back\slash`, "it's", "tab\tnl\ncr\rff\fbs\b", "ctl\x01\x1f", "utf8 é ✓", "<&>"}
	for _, n := range names {
		b.AddDeclTag(n, i, -1, false)
	}
	b.AddEnum("u", 4, false, []EnumValue{{Name: "max", Value: 0xffffffff}, {Name: "one", Value: 1}})
	b.AddEnum("s", 4, true, []EnumValue{{Name: "neg", Value: 0xfffffffe}})
	b.AddEnum64("u64", 8, false, []EnumValue{{Name: "max", Value: ^uint64(0)}})
	b.AddEnum64("s64", 8, true, []EnumValue{{Name: "neg", Value: ^uint64(0)}})
	spec, err := b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteJSON(&out, spec); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "]}\n") || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("output does not end in one newline: %q", out.String())
	}
	var doc jsonDump
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("%v in %s", err, out.Bytes())
	}
	if len(doc.Types) != spec.NumTypes() {
		t.Fatalf("%d types, want %d", len(doc.Types), spec.NumTypes())
	}
	for k, n := range names {
		if got := doc.Types[1+k]; got.Name != n || got.Kind != "DECL_TAG" || got.ID != uint32(2+k) {
			t.Errorf("type %d: %+v, want DECL_TAG %q", 2+k, got, n)
		}
	}
	// Values as bpftool 7.1 writes them (see WriteJSON).
	wantVals := map[string][]string{
		"u":   {"18446744073709551615", "1"},
		"s":   {"-2"},
		"u64": {"18446744073709551615"},
		"s64": {"-1"},
	}
	for _, typ := range doc.Types[1+len(names):] {
		var vals []string
		for _, v := range typ.Values {
			vals = append(vals, v.Val.String())
		}
		if !reflect.DeepEqual(vals, wantVals[typ.Name]) {
			t.Errorf("%s %s: values %v, want %v", typ.Kind, typ.Name, vals, wantVals[typ.Name])
		}
	}
}

func BenchmarkWriteJSON(b *testing.B) {
	spec, err := Decode(testutil.KernelBTF(b, "6.1.0-53-cloud-amd64"), nil)
	if err != nil {
		b.Fatal(err)
	}
	var n dumpCountWriter
	if err := WriteJSON(&n, spec); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteJSON(io.Discard, spec); err != nil {
			b.Fatal(err)
		}
	}
}
