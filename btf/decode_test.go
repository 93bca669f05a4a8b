package btf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

// rawBTF encodes a little-endian BTF blob from host-order type words and a
// string section, with a 24-byte header.
func rawBTF(words []uint32, strs string) []byte {
	buf := make([]byte, headerLen+4*len(words)+len(strs))
	binary.LittleEndian.PutUint16(buf, Magic)
	buf[2] = 1
	binary.LittleEndian.PutUint32(buf[4:], headerLen)
	binary.LittleEndian.PutUint32(buf[12:], uint32(4*len(words)))
	binary.LittleEndian.PutUint32(buf[16:], uint32(4*len(words)))
	binary.LittleEndian.PutUint32(buf[20:], uint32(len(strs)))
	for i, w := range words {
		binary.LittleEndian.PutUint32(buf[headerLen+4*i:], w)
	}
	copy(buf[headerLen+4*len(words):], strs)
	return buf
}

func info(k Kind, vlen int, kflag bool) uint32 {
	v := uint32(k)<<24 | uint32(vlen)
	if kflag {
		v |= 1 << 31
	}
	return v
}

// intWords is "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED"
// with the name at string offset 1.
var intWords = []uint32{1, info(KindInt, 0, false), 4, uint32(IntSigned)<<24 | 32}

const intStrs = "\x00int\x00"

func withWords(extra ...uint32) []uint32 {
	return append(append([]uint32{}, intWords...), extra...)
}

func TestDecodeErrors(t *testing.T) {
	valid := rawBTF(intWords, intStrs)
	patch := func(off int, v uint32) []byte {
		b := bytes.Clone(valid)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	tests := []struct {
		name     string
		data     []byte
		sentinel error
		msg      string
	}{
		{"empty", nil, ErrTruncated, "btf: offset 0x0: truncated header: 0 bytes, need 24"},
		{"truncated header", valid[:10], ErrTruncated, "btf: offset 0x0: truncated header: 10 bytes, need 24"},
		{"bad magic", append([]byte{0x7f, 'E'}, valid[2:]...), ErrNotBTF, "btf: offset 0x0: bad magic 0x7f45"},
		{"bad version", append(bytes.Clone(valid[:2]), append([]byte{2}, valid[3:]...)...), ErrUnsupported, "btf: offset 0x2: unsupported version 2"},
		{"header length past the end", patch(4, 1000), ErrTruncated, "btf: offset 0x4: truncated header: header length 1000 but only 45 bytes"},
		{"type section past the end", patch(12, 400), ErrTruncated, "btf: offset 0x8: type section at 0+400 past the end of the data (21 bytes after the header)"},
		{"string section past the end", patch(20, 100), ErrTruncated, "btf: offset 0x10: string section at 16+100 past the end of the data (21 bytes after the header)"},
		{"string offset past the end", patch(16, 0xffffff00), ErrTruncated, "btf: offset 0x10: string section at 4294967040+5 past the end of the data (21 bytes after the header)"},
		{"trailing data", append(bytes.Clone(valid), 0), ErrUnsupported, "btf: offset 0x2d: 1 bytes of trailing data after the string section"},
		{"strings without leading NUL", rawBTF(intWords, "xint\x00"), ErrBadString, "btf: offset 0x28: string section does not start with the empty string (split BTF needs its base)"},
		{"strings without trailing NUL", rawBTF(intWords, "\x00int"), ErrBadString, "btf: offset 0x2b: string section does not end in NUL"},
		{"string offset out of range", rawBTF([]uint32{77, info(KindInt, 0, false), 4, 32}, intStrs), ErrBadString,
			"btf: type [1] at offset 0x18: name offset 77 out of range (strings end at 5)"},
		{"member name out of range", rawBTF(withWords(0, info(KindStruct, 1, false), 4, 9, 1, 0), intStrs), ErrBadString,
			"btf: type [2] at offset 0x34: member 0 name offset 9 out of range (strings end at 5)"},
		{"unknown kind", rawBTF(withWords(0, 25<<24, 0), intStrs), ErrUnknownKind,
			"btf: type [2] at offset 0x2c: unknown kind 25"},
		{"vlen past the end", rawBTF(withWords(0, info(KindStruct, 5, false), 4, 1, 1, 0), intStrs), ErrTruncated,
			"btf: type [2] at offset 0x28: STRUCT with vlen 5 needs 72 bytes but only 24 are left in the type section"},
		{"truncated record", rawBTF(withWords(0, info(KindPointer, 0, false)), intStrs), ErrTruncated,
			"btf: type [2] at offset 0x28: truncated type record: 8 bytes left, need 12"},
		{"missing type", rawBTF(withWords(0, info(KindPointer, 0, false), 99), intStrs), ErrMissingType,
			"btf: type [2] at offset 0x30: type refers to type [99], but the last type is [2]"},
		{"missing member type", rawBTF(withWords(0, info(KindStruct, 1, false), 4, 1, 7, 0), intStrs), ErrMissingType,
			"btf: type [2] at offset 0x38: member 0 refers to type [7], but the last type is [2]"},
		{"missing array index type", rawBTF(withWords(0, info(KindArray, 0, false), 0, 1, 3, 4), intStrs), ErrMissingType,
			"btf: type [2] at offset 0x38: index type refers to type [3], but the last type is [2]"},
		{"loop without a struct", rawBTF(withWords(
			1, info(KindTypedef, 0, false), 3, // [2] typedef int -> [3]
			0, info(KindConst, 0, false), 2, // [3] const -> [2]
		), intStrs), ErrTypeLoop,
			"btf: type [2] at offset 0x28: type loop without a struct or union: [2] TYPEDEF -> [3] CONST -> [2]"},
		{"self-referencing pointer", rawBTF(withWords(0, info(KindPointer, 0, false), 2), intStrs), ErrTypeLoop,
			"btf: type [2] at offset 0x28: type loop without a struct or union: [2] PTR -> [2]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.data, nil)
			if err == nil {
				t.Fatal("Decode succeeded")
			}
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("error %q does not wrap %q", err, tt.sentinel)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("error %T is not a *FormatError", err)
			}
			if err.Error() != tt.msg {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.msg)
			}
		})
	}
}

// TestLoopThroughStruct checks that a cycle through a struct, the way C
// builds linked lists, is accepted.
func TestLoopThroughStruct(t *testing.T) {
	b := NewBuilder(nil)
	ptr := b.AddPointer(2)
	b.AddStruct("list_head", 8, []Member{{Name: "next", Type: ptr}})
	if _, err := b.Spec(); err != nil {
		t.Fatal(err)
	}
}

func TestRoundTripKernels(t *testing.T) {
	for _, name := range testutil.Kernels {
		t.Run(name, func(t *testing.T) {
			data := testutil.KernelBTF(t, name)
			s, err := Decode(data, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Marshal(nil); !bytes.Equal(got, data) {
				t.Fatal("Marshal(Decode(x)) != x")
			}
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			// Through big endian and back.
			be := s.Marshal(binary.BigEndian)
			sb, err := Decode(be, nil)
			if err != nil {
				t.Fatal(err)
			}
			if sb.ByteOrder() != binary.BigEndian || sb.NumTypes() != s.NumTypes() {
				t.Fatalf("big-endian decode: %v, %d types", sb.ByteOrder(), sb.NumTypes())
			}
			if bytes.Equal(be, data) {
				t.Fatal("big-endian encoding equals the little-endian input")
			}
			if got := sb.Marshal(binary.LittleEndian); !bytes.Equal(got, data) {
				t.Fatal("little -> big -> little changed the bytes")
			}
		})
	}
}

func TestRoundTripSysfs(t *testing.T) {
	data, err := readSysfsBTF()
	if err != nil {
		testutil.Missing(t, "no kernel BTF: %v", err)
	}
	s, err := Decode(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.Marshal(nil), data) {
		t.Fatal("Marshal(Decode(x)) != x")
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestHeaderLengthPreserved(t *testing.T) {
	valid := rawBTF(intWords, intStrs)
	// A 32-byte header whose extra bytes are zero, as a newer writer might
	// emit, must survive the round trip.
	long := make([]byte, 0, len(valid)+8)
	long = append(long, valid[:headerLen]...)
	binary.LittleEndian.PutUint32(long[4:], headerLen+8)
	long = append(long, make([]byte, 8)...)
	long = append(long, valid[headerLen:]...)
	s, err := Decode(long, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.Marshal(nil), long) {
		t.Fatal("32-byte header not preserved")
	}
	long[headerLen+3] = 1
	if _, err := Decode(long, nil); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("non-zero extra header byte: got %v", err)
	}
}
