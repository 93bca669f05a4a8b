package btf_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/diff"
)

// loopySpec builds, with reference loops allowed, what Go's `type T *T`
// and a typedef of a const of itself look like in BTF, used from a struct,
// a function prototype, an array and a variable.
func loopySpec(tb testing.TB) (*btf.Builder, *btf.Spec) {
	tb.Helper()
	b := btf.NewBuilder(nil)
	i32 := b.AddInt("int", 4, btf.IntSigned, 32) // 1
	td := b.AddTypedef("T", 3)                   // 2: typedef T *T
	b.AddPointer(td)                             // 3
	c := b.AddTypedef("C", 5)                    // 4: typedef const C C
	b.AddQualifier(btf.KindConst, c)             // 5
	s := b.AddStruct("s", 24, []btf.Member{      // 6
		{Name: "t", Type: td},
		{Name: "c", Type: c, BitOffset: 64},
		{Name: "a", Type: 7, BitOffset: 128},
	})
	b.AddArray(td, i32, 1)                                         // 7
	proto := b.AddFuncProto(td, []btf.Param{{Name: "x", Type: c}}) // 8
	b.AddFunc("f", proto, btf.LinkageGlobal)                       // 9
	v := b.AddVar("v", td, btf.LinkageGlobal)                      // 10
	b.AddDatasec(".data", 8, []btf.VarSecinfo{{Type: v, Size: 8}}) // 11
	b.AddTypedef("s_t", s)                                         // 12
	spec, err := b.SpecWith(&btf.DecodeOptions{AllowReferenceLoops: true})
	if err != nil {
		tb.Fatal(err)
	}
	return b, spec
}

func TestDecodeWithReferenceLoops(t *testing.T) {
	b, spec := loopySpec(t)
	if _, err := b.Spec(); !errors.Is(err, btf.ErrTypeLoop) {
		t.Fatalf("Builder.Spec: got %v, want ErrTypeLoop", err)
	}
	raw := spec.Marshal(nil)
	if _, err := btf.Decode(raw, nil); !errors.Is(err, btf.ErrTypeLoop) {
		t.Fatalf("Decode: got %v, want ErrTypeLoop", err)
	}
	got, err := btf.DecodeWith(raw, nil, &btf.DecodeOptions{AllowReferenceLoops: true})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Marshal(nil), raw) {
		t.Fatal("DecodeWith does not round-trip")
	}
	words, _ := got.RawTypes()
	if _, err := btf.NewSpecFromRaw(words, got.Strings(), nil, nil, 0); !errors.Is(err, btf.ErrTypeLoop) {
		t.Fatalf("NewSpecFromRaw: got %v, want ErrTypeLoop", err)
	}
	if _, err := btf.NewSpecFromRawWith(words, got.Strings(), nil, nil, 0, &btf.DecodeOptions{AllowReferenceLoops: true}); err != nil {
		t.Fatalf("NewSpecFromRawWith: %v", err)
	}
	for name, err := range map[string]error{
		"Validate":            got.Validate(),
		"CheckReferenceLoops": got.CheckReferenceLoops(),
	} {
		var fe *btf.FormatError
		if !errors.Is(err, btf.ErrTypeLoop) || !errors.As(err, &fe) || (fe.ID != 2 && fe.ID != 3 && fe.ID != 4 && fe.ID != 5) {
			t.Errorf("%s: got %v, want ErrTypeLoop naming a type of a loop", name, err)
		}
	}
	// A spec without loops passes the same check.
	ok, err := btf.NewBuilder(nil).Spec()
	if err != nil {
		t.Fatal(err)
	}
	if err := ok.CheckReferenceLoops(); err != nil {
		t.Fatal(err)
	}
}

// bounded fails the test if f does not return within a generous time: on
// a loop it would never return.
func bounded(t *testing.T, name string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not return on a spec with reference loops", name)
	}
}

func TestReferenceLoopsBounded(t *testing.T) {
	_, s := loopySpec(t)
	for id := btf.TypeID(0); id < s.NextID(); id++ {
		bounded(t, "ResolveSize", func() {
			size, err := s.ResolveSize(id)
			switch id {
			case 2, 3:
				if err != nil || size != s.PointerSize() {
					t.Errorf("ResolveSize(%d) = %d, %v; want a pointer's size", id, size, err)
				}
			case 4, 5:
				if !errors.Is(err, btf.ErrInvalid) {
					t.Errorf("ResolveSize(%d) = %d, %v; want ErrInvalid", id, size, err)
				}
			}
		})
		bounded(t, "SkipQualifiers", func() {
			got := s.SkipQualifiers(id)
			if id == 4 || id == 5 {
				if got.Kind() != 0 {
					t.Errorf("SkipQualifiers(%d) = %v, want void", id, got.Kind())
				}
			}
		})
	}
	bounded(t, "WriteText", func() {
		if err := btf.WriteText(io.Discard, s); err != nil {
			t.Error(err)
		}
	})
	bounded(t, "WriteJSON", func() {
		if err := btf.WriteJSON(io.Discard, s); err != nil {
			t.Error(err)
		}
	})
	bounded(t, "WriteC", func() {
		// C cannot declare `typedef T *T`.
		if err := btf.WriteC(io.Discard, s, nil); !errors.Is(err, btf.ErrTypeLoop) {
			t.Errorf("WriteC: %v, want ErrTypeLoop", err)
		}
	})
	bounded(t, "Validate", func() {
		if err := s.Validate(); !errors.Is(err, btf.ErrTypeLoop) {
			t.Errorf("Validate: %v, want ErrTypeLoop", err)
		}
	})
	bounded(t, "diff.Compare", func() {
		_, other := loopySpec(t)
		plain, err := btf.NewBuilder(nil).Spec()
		if err != nil {
			t.Error(err)
			return
		}
		if r := diff.Compare(s, other); r == nil {
			t.Error("diff.Compare returned nil")
		}
		r := diff.Compare(plain, s)
		if err := diff.WriteText(io.Discard, r, "a", "b"); err != nil {
			t.Error(err)
		}
		if err := diff.WriteJSON(io.Discard, r, "a", "b"); err != nil {
			t.Error(err)
		}
	})
}
