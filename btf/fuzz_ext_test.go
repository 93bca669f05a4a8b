package btf

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"
)

// FuzzDecodeExt feeds arbitrary bytes to DecodeExt, with and without a
// spec. Whatever decodes must encode to a section that decodes to the same
// records, in both byte orders, and that Marshal reproduces exactly.
func FuzzDecodeExt(f *testing.F) {
	s := extSpec(f)
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		f.Add(handExt(f, s, bo, false), true)
		f.Add(handExt(f, s, bo, true), false)
	}
	for _, o := range objectSeeds(f) {
		if data, err := ReadELFSection(bytes.NewReader(o), SectionBTFExt); err == nil {
			f.Add(data, false)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, withSpec bool) {
		var spec *Spec
		if withSpec {
			spec = s
		}
		e, err := DecodeExt(data, spec)
		if err != nil {
			return
		}
		checkExtRoundTrip(t, e, spec)
	})
}

// checkExtRoundTrip checks that e, decoded against spec, survives Marshal
// in both byte orders, and that Marshal of what it decodes to is a fixed
// point.
func checkExtRoundTrip(t *testing.T, e *Ext, spec *Spec) {
	t.Helper()
	if len(e.FuncInfos)+len(e.LineInfos)+len(e.CORERelos) == 0 {
		// Only a header: libbpf and DecodeExt reject that.
		return
	}
	m := e.Marshal(nil)
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		e2, err := DecodeExt(e.Marshal(bo), spec)
		if err != nil {
			t.Fatalf("decoding Marshal(%v): %v", bo, err)
		}
		if !reflect.DeepEqual(e2.FuncInfos, e.FuncInfos) || !reflect.DeepEqual(e2.LineInfos, e.LineInfos) || !reflect.DeepEqual(e2.CORERelos, e.CORERelos) {
			t.Fatalf("Marshal(%v) decodes to other records", bo)
		}
		if bo == e.ByteOrder() && !bytes.Equal(e2.Marshal(nil), m) {
			t.Fatal("Marshal(DecodeExt(Marshal(e))) != Marshal(e)")
		}
	}
}
