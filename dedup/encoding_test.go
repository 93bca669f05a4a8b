package dedup

import (
	"encoding/binary"
	"testing"

	"github.com/btfhub/btfhub/btf"
)

// TestOutputEncoding: the output keeps the input's byte order and header
// length, as libbpf's btf__raw_data does.
func TestOutputEncoding(t *testing.T) {
	s := newStrTab("int", "s", "x")
	raw := rawBTF(cat(
		tInt(s.o("int"), 4, btf.IntSigned, 32),
		tStruct(btf.KindStruct, s.o("s"), 4, s.o("x"), 1, 0),
		tInt(s.o("int"), 4, btf.IntSigned, 32),
		tStruct(btf.KindStruct, s.o("s"), 4, s.o("x"), 3, 0),
	), s.data)

	t.Run("big endian", func(t *testing.T) {
		be := mustDecode(t, raw, nil).Marshal(binary.BigEndian)
		out := dedupBoth(t, nil, be)
		if out.ByteOrder() != binary.BigEndian || out.NumTypes() != 2 {
			t.Errorf("got %v with %d types", out.ByteOrder(), out.NumTypes())
		}
	})
	t.Run("long header", func(t *testing.T) {
		const extra = 8
		long := make([]byte, len(raw)+extra)
		copy(long, raw[:24])
		copy(long[24+extra:], raw[24:])
		binary.LittleEndian.PutUint32(long[4:], 24+extra)
		out := dedupBoth(t, nil, long)
		if out.HeaderLen() != 24+extra {
			t.Errorf("header length %d, want %d", out.HeaderLen(), 24+extra)
		}
	})
}
