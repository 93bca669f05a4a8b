package dedup

import (
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/btfhub/btfhub/btf"
)

var allowLoops = btf.DecodeOptions{AllowReferenceLoops: true}

// goTypedefs is the BTF of two compilation units of a Go program that
// both declare `type T *T` and use it in `struct s { a T }`.
func goTypedefs() []byte {
	s := newStrTab("int", "T", "s", "a")
	return rawBTF(cat(
		tInt(s.o("int"), 4, btf.IntSigned, 32),               // [1]
		tRef(btf.KindTypedef, s.o("T"), 3),                   // [2] typedef T
		tPtr(2),                                              // [3] *T
		tStruct(btf.KindStruct, s.o("s"), 8, s.o("a"), 2, 0), // [4]
		tInt(s.o("int"), 4, btf.IntSigned, 32),               // [5] second CU
		tRef(btf.KindTypedef, s.o("T"), 7),                   // [6]
		tPtr(6),                                              // [7]
		tStruct(btf.KindStruct, s.o("s"), 8, s.o("a"), 6, 0), // [8]
	), s.data)
}

// TestRecursiveTypedefLibbpf17 checks Options.Libbpf17 on recursive
// typedefs against results worked out by hand from libbpf's src/btf.c at
// commit 5b0f3729 (master after v1.7.0; the recursive typedef support is
// commit 37027144, first released in v1.7.0). libbpf 1.7 cannot be run
// here, so these are not differential tests; the walk-through of each
// case is in its comment.
func TestRecursiveTypedefLibbpf17(t *testing.T) {
	cases := []struct {
		name string
		base []byte
		raw  []byte
		want string
	}{{
		// Nothing to merge: the typedef is canonical in the struct pass,
		// and the reference pass finds it mapped when it resolves the
		// pointer, where libbpf 1.1 found its own pointer in progress.
		name: "one copy",
		raw: func() []byte {
			s := newStrTab("T")
			return rawBTF(cat(tRef(btf.KindTypedef, s.o("T"), 2), tPtr(1)), s.data)
		}(),
		want: `
[1] TYPEDEF 'T' type_id=2
[2] PTR '(anon)' type_id=1`,
	}, {
		// Struct pass, in id order: [2] is canonical; [6] has candidate
		// [2] (same btf_hash_typedef, btf_equal_typedef holds), and
		// btf_dedup_is_equiv(6, 2) maps 2->6, then 3->7, then meets 2->6
		// again: equivalent, so [6] maps to [2]. [4] is canonical; for
		// [8] is_equiv(8, 4) reaches member types 6 and 2, which now
		// resolve to the same type. Reference pass: [3] becomes
		// PTR->2, canonical; [7] becomes PTR->2, equal to [3].
		name: "two copies",
		raw:  goTypedefs(),
		want: `
[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[2] TYPEDEF 'T' type_id=3
[3] PTR '(anon)' type_id=2
[4] STRUCT 's' size=8 vlen=1
	'a' type_id=2 bits_offset=0`,
	}, {
		// Split BTF over a base holding the same loop. btf_dedup_prep
		// hashes the base typedef with btf_hash_typedef (commit 5b0f3729;
		// v1.7.0 used btf_hash_common there, so the split copy found no
		// candidate and both split types stayed), is_equiv(3, 1) holds as
		// above, and PTR [4] becomes PTR->1, equal to the base's [2].
		name: "split over a base with the loop",
		base: func() []byte {
			s := newStrTab("T")
			return rawBTF(cat(tRef(btf.KindTypedef, s.o("T"), 2), tPtr(1)), s.data)
		}(),
		raw: func() []byte {
			s := newSplitStrTab(len("\x00T\x00"), "T")
			return rawBTF(cat(tRef(btf.KindTypedef, s.o("T"), 4), tPtr(3)), s.data)
		}(),
		want: ``,
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var base *btf.Spec
			if c.base != nil {
				var err error
				if base, err = btf.DecodeWith(c.base, nil, &allowLoops); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := btf.Decode(c.raw, base); !errors.Is(err, btf.ErrTypeLoop) {
				t.Fatalf("Decode: %v, want ErrTypeLoop", err)
			}
			spec, err := btf.DecodeWith(c.raw, base, &allowLoops)
			if err != nil {
				t.Fatal(err)
			}
			// libbpf 1.1 semantics, the default: -ELOOP in the reference
			// pass.
			if _, _, err := Dedup(spec, nil); !errors.Is(err, btf.ErrTypeLoop) {
				t.Errorf("Dedup (libbpf 1.1): %v, want ErrTypeLoop", err)
			}
			out, res, err := Dedup(spec, &Options{Libbpf17: true})
			if err != nil {
				t.Fatalf("Dedup (libbpf 1.7): %v", err)
			}
			got := strings.TrimSpace(dumpText(t, out))
			if want := strings.TrimSpace(c.want); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
			if res.After != out.NumTypes() {
				t.Errorf("Result.After = %d, want %d", res.After, out.NumTypes())
			}
			// The output still holds the loop: the kernel would refuse it,
			// and Validate says so.
			if out.NumTypes() > 0 {
				if err := out.Validate(); !errors.Is(err, btf.ErrTypeLoop) {
					t.Errorf("Validate: %v, want ErrTypeLoop", err)
				}
			}
			// Deduplicating the output again changes nothing.
			again, _, err := Dedup(out, &Options{Libbpf17: true})
			if err != nil {
				t.Fatal(err)
			}
			if string(again.Marshal(nil)) != string(out.Marshal(nil)) {
				t.Error("a second dedup changed the output")
			}
		})
	}
}

// TestRecursiveTypedefLibbpf11Fails runs libbpf 1.1 itself on the
// recursive typedefs of Go: it fails (btf_dedup_ref_type returns -ELOOP),
// as Dedup does by default, while Options.Libbpf17 succeeds.
func TestRecursiveTypedefLibbpf11Fails(t *testing.T) {
	raw := goTypedefs()
	_, _, lerr := runLibbpf(t, nil, raw)
	if lerr == nil {
		t.Fatal("libbpf 1.1 deduplicated a recursive typedef; this test's premise is wrong")
	}
	if !strings.Contains(strings.ToLower(lerr.Error()), syscall.ELOOP.Error()) {
		t.Errorf("libbpf 1.1 failed with %v, want ELOOP (%v)", lerr, syscall.ELOOP)
	}
	spec, err := btf.DecodeWith(raw, nil, &allowLoops)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Dedup(spec, nil); !errors.Is(err, btf.ErrTypeLoop) {
		t.Errorf("Dedup (libbpf 1.1 semantics): %v, want ErrTypeLoop as libbpf 1.1 fails", err)
	}
	out, _, err := Dedup(spec, &Options{Libbpf17: true})
	if err != nil {
		t.Fatalf("Dedup (libbpf 1.7 semantics): %v", err)
	}
	if out.NumTypes() != 4 {
		t.Errorf("%d types after dedup, want 4", out.NumTypes())
	}
}

// TestIdenticalTypesLoop: libbpf 1.7's btf_dedup_identical_types follows
// chains of reference types with a goto that uses no depth, so on two
// pointers to a recursive typedef it never returns. That check runs when
// one type of the canonical graph stands for two of the candidate's: here
// struct s's two members share one pointer type in the first copy and
// have one each in the second. Dedup stops with an error instead.
func TestIdenticalTypesLoop(t *testing.T) {
	s := newStrTab("T", "s", "a", "b")
	raw := rawBTF(cat(
		tRef(btf.KindTypedef, s.o("T"), 2), // [1]
		tPtr(1),                            // [2]
		tPtr(1),                            // [3]
		tStruct(btf.KindStruct, s.o("s"), 16, s.o("a"), 3, 0, s.o("b"), 3, 64), // [4]
		tRef(btf.KindTypedef, s.o("T"), 6),                                     // [5]
		tPtr(5),                                                                // [6]
		tPtr(5),                                                                // [7]
		tPtr(5),                                                                // [8]
		tStruct(btf.KindStruct, s.o("s"), 16, s.o("a"), 7, 0, s.o("b"), 8, 64), // [9]
	), s.data)
	spec, err := btf.DecodeWith(raw, nil, &allowLoops)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Dedup(spec, &Options{Libbpf17: true})
	if !errors.Is(err, btf.ErrTypeLoop) || !strings.Contains(err.Error(), "would not terminate") {
		t.Fatalf("Dedup: %v, want ErrTypeLoop saying libbpf would not terminate", err)
	}
}
