package dedup

import (
	"errors"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
)

// TestRecursiveTypedef: a typedef that refers to itself through a pointer
// (Go's `type T *T`, which pahole emits for Go programs) makes libbpf 1.1's
// btf__dedup fail with ELOOP; libbpf 1.7 deduplicates typedefs in the
// struct pass and accepts it. btf.Decode rejects such a loop through
// reference types only (as the kernel does), naming the loop; see
// later_test.go for btf.DecodeWith and Options.Libbpf17.
func TestRecursiveTypedef(t *testing.T) {
	s := newStrTab("T")
	raw := rawBTF(cat(
		tRef(btf.KindTypedef, s.o("T"), 2), // [1] typedef T
		tPtr(1),                            // [2] *T
	), s.data)
	_, err := btf.Decode(raw, nil)
	if !errors.Is(err, btf.ErrTypeLoop) {
		t.Fatalf("Decode: %v, want an error wrapping ErrTypeLoop", err)
	}
	if !strings.Contains(err.Error(), "[1] TYPEDEF -> [2] PTR -> [1]") {
		t.Errorf("error %q does not name the loop", err)
	}
	t.Run("libbpf 1.1", func(t *testing.T) {
		if _, _, err := runLibbpf(t, nil, raw); err == nil {
			t.Fatal("libbpf 1.1 deduplicated a recursive typedef; this test's premise is wrong")
		}
	})
}

// TestRefLoopError: the reference pass itself reports a loop through
// reference types as an error wrapping btf.ErrTypeLoop, should one reach it
// (btf.Decode keeps them out of specs, so the state is set up directly).
func TestRefLoopError(t *testing.T) {
	words := cat(
		tRef(btf.KindConst, 0, 2), // [1]
		tRef(btf.KindVolatile, 0, 1),
	)
	d := &state{
		first: 1, next: 3, words: words, offs: []uint32{0, 3, 6},
		m: []uint32{0, unprocessed, unprocessed}, hypot: make([]uint32, 3),
		kinds:  []uint8{0, uint8(kConst), uint8(kVolatile)},
		tab:    newTable(4),
		refTab: newTable(4),
	}
	_, err := d.refType(1)
	if !errors.Is(err, btf.ErrTypeLoop) {
		t.Fatalf("refType: %v, want an error wrapping ErrTypeLoop", err)
	}
}

// TestIDOutOfRange: a type id past the last type is refused by
// btf.Decode, naming the type and the id, so Dedup only sees valid ids.
func TestIDOutOfRange(t *testing.T) {
	s := newStrTab("int", "s", "m")
	raw := rawBTF(cat(
		tInt(s.o("int"), 4, btf.IntSigned, 32),
		tStruct(btf.KindStruct, s.o("s"), 4, s.o("m"), 7, 0),
	), s.data)
	_, err := btf.Decode(raw, nil)
	if !errors.Is(err, btf.ErrMissingType) {
		t.Fatalf("Decode: %v, want an error wrapping ErrMissingType", err)
	}
	if !strings.Contains(err.Error(), "[2]") || !strings.Contains(err.Error(), "[7]") {
		t.Errorf("error %q does not name the type and the id", err)
	}
}

// TestBaseMismatch: split BTF decoded over a base it was not built on is
// refused with ErrBaseMismatch instead of giving a silently wrong result.
func TestBaseMismatch(t *testing.T) {
	// The split part was built over a base whose [1] is "int" and [2] a
	// struct; the base given has a VAR and a DATASEC there, and other
	// strings.
	right := newStrTab("int", "s1", "f1")
	wrong := newStrTab("something", "v", ".d")
	wrongBase := mustDecode(t, rawBTF(cat(
		tInt(wrong.o("something"), 4, btf.IntSigned, 32),
		tVar(wrong.o("v"), 1),
		tDatasec(wrong.o(".d"), 4, 2, 0, 4),
	), wrong.data), nil)
	if len(wrong.data) < len(right.data) {
		t.Fatal("test setup: the wrong base must have at least as many string bytes")
	}
	sp := newSplitStrTab(len(wrong.data), "p")
	for _, tc := range []struct {
		name string
		recs []uint32
	}{
		{"member of a VAR", tStruct(btf.KindStruct, sp.o("p"), 4, sp.o("p"), 2, 0)},
		{"name inside a base string", tInt(right.o("s1"), 4, 0, 32)},
		{"pointer to a DATASEC", tPtr(3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := mustDecode(t, rawBTF(tc.recs, sp.data), wrongBase)
			_, _, err := Dedup(spec, nil)
			if !errors.Is(err, ErrBaseMismatch) {
				t.Fatalf("Dedup: %v, want an error wrapping ErrBaseMismatch", err)
			}
			if !strings.Contains(err.Error(), "type [4]") {
				t.Errorf("error %q does not name the type", err)
			}
		})
	}
}
