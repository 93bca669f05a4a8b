package btf

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/btfhub/btfhub/internal/testutil"
)

// cAdversarial is valid BTF built to make a C writer slow or its output
// huge (issue "Hardening": valid but adversarial BTF).
type cAdversarial struct {
	name  string
	build func(b *Builder, n int)
	// want is the exact error, or "" when the spec is written; then
	// wantSize is the length of the output.
	want     string
	wantSize int
	// bpftool is true when bpftool writes it in reasonable time, for the
	// benchmark's same-run reference.
	bpftool bool
}

// cChainLen is the length of the chains of the adversarial cases.
const cChainLen = 100_000

// cAdversarialCases are the inputs of TestWriteCAdversarial and
// BenchmarkWriteCAdversarial.
var cAdversarialCases = []cAdversarial{
	{name: "typedef'd arrays, innermost first", build: func(b *Builder, n int) {
		t := b.AddInt("int", 4, IntSigned, 32)
		for k := range n {
			t = b.AddTypedef("t"+strconv.Itoa(k), b.AddArray(t, 1, 1))
		}
	}, wantSize: 2_678_056, bpftool: true},
	{name: "typedef'd arrays, outermost first", build: func(b *Builder, n int) {
		i := b.AddInt("int", 4, IntSigned, 32)
		for k := range n {
			next := b.NextID() + 1
			b.AddTypedef("t"+strconv.Itoa(k), next)
			el := next + 1
			if k == n-1 {
				el = i
			}
			b.AddArray(el, i, 1)
		}
	}, wantSize: 2_678_060, bpftool: true},
	{name: "array of arrays", build: func(b *Builder, n int) {
		t := b.AddInt("int", 4, IntSigned, 32)
		for range n {
			t = b.AddArray(t, 1, 1)
		}
		b.AddTypedef("t", t)
	}, wantSize: 300_295, bpftool: true},
	{name: "const volatile", build: func(b *Builder, n int) {
		t := b.AddInt("int", 4, IntSigned, 32)
		for k := range n {
			t = b.AddQualifier(KindConst+Kind(k%2), t)
		}
		b.AddTypedef("t", t)
	}, wantSize: 750_295, bpftool: true},
	{name: "const, outermost first", build: func(b *Builder, n int) {
		i := b.AddInt("int", 4, IntSigned, 32)
		b.AddTypedef("t", b.NextID()+1)
		for k := range n {
			next := b.NextID() + 1
			if k == n-1 {
				next = i
			}
			b.AddQualifier(KindConst, next)
		}
	}, wantSize: 600_295, bpftool: true},
	{name: "pointers", build: func(b *Builder, n int) {
		t := b.AddInt("int", 4, IntSigned, 32)
		for range n {
			t = b.AddPointer(t)
		}
		b.AddTypedef("t", t)
	}, wantSize: 100_295, bpftool: true},
	{name: "many members on one pointer chain", build: func(b *Builder, n int) {
		t := b.AddInt("int", 4, IntSigned, 32)
		for range n {
			t = b.AddPointer(t)
		}
		ms := make([]Member, 60_000)
		for k := range ms {
			ms[k] = Member{Name: "m" + strconv.Itoa(k), Type: t, BitOffset: uint32(64 * k)}
		}
		b.AddStruct("s", 8*uint32(len(ms)), ms)
	}, want: "btf: type [100002]: writing C: STRUCT \"s\" would write more than 1148579 types inline (anonymous types are written out at every use)"},
	{name: "struct of 4 GiB", build: func(b *Builder, n int) {
		i := b.AddInt("int", 4, IntSigned, 32)
		b.AddStruct("s", 0xffffffff, []Member{{Name: "m", Type: i}})
	}, want: `btf: type [2]: writing C: STRUCT "s" needs 4294967291 bytes of padding at byte 4, more than 1048576`},
	{name: "gap of 2 MiB", build: func(b *Builder, n int) {
		i := b.AddInt("int", 4, IntSigned, 32)
		b.AddStruct("s", 2<<20+8, []Member{{Name: "a", Type: i}, {Name: "b", Type: i, BitOffset: 8 * (2<<20 + 4)}})
	}, want: `btf: type [2]: writing C: STRUCT "s" needs 2097152 bytes of padding at byte 4, more than 1048576`},
	{name: "anonymous unions used twice, 12 levels", build: func(b *Builder, n int) { cNestedUnions(b, 12) },
		wantSize: 225_565, bpftool: true},
	{name: "anonymous unions used twice, 30 levels", build: func(b *Builder, n int) { cNestedUnions(b, 30) },
		want: "btf: type [32]: writing C: STRUCT \"top\" would write more than 1048609 types inline (anonymous types are written out at every use)"},
	{name: "prototypes used twice, 40 levels", build: func(b *Builder, n int) { cNestedProtos(b, 40) },
		want: "btf: type [84]: writing C: TYPEDEF \"fn_t\" would write more than 1048661 types inline (anonymous types are written out at every use)"},
}

// cNestedUnions adds levels of anonymous unions, each holding the one
// below twice, in a struct top: the C output doubles with each level.
func cNestedUnions(b *Builder, levels int) {
	t := b.AddInt("int", 4, IntSigned, 32)
	for range levels {
		t = b.AddUnion("", 4, []Member{{Name: "a", Type: t}, {Name: "b", Type: t}})
	}
	b.AddStruct("top", 4, []Member{{Name: "u", Type: t}})
}

// cNestedProtos adds levels of function prototypes, each taking two
// pointers to the one below, and a typedef of a pointer to the last.
func cNestedProtos(b *Builder, levels int) {
	i := b.AddInt("int", 4, IntSigned, 32)
	p := b.AddFuncProto(i, nil)
	for range levels {
		ptr := b.AddPointer(p)
		p = b.AddFuncProto(i, []Param{{Name: "a", Type: ptr}, {Name: "b", Type: ptr}})
	}
	b.AddTypedef("fn_t", b.AddPointer(p))
}

func (c cAdversarial) spec(tb testing.TB, n int) *Spec {
	tb.Helper()
	b := NewBuilder(nil)
	c.build(b, n)
	s, err := b.Spec()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestWriteCAdversarial checks that each adversarial spec is written, in
// linear time, or refused with an error naming the type.
func TestWriteCAdversarial(t *testing.T) {
	for _, c := range cAdversarialCases {
		t.Run(c.name, func(t *testing.T) {
			s := c.spec(t, cChainLen)
			var cw cByteCounter
			start := time.Now()
			err := WriteC(&cw, s, nil)
			el := time.Since(start)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("got error %v", err)
			case c.want != "" && (err == nil || err.Error() != c.want):
				t.Fatalf("got error %v, want %s", err, c.want)
			case c.want != "" && !errors.Is(err, ErrOutputLimit):
				t.Fatalf("error %v does not wrap ErrOutputLimit", err)
			case c.want == "" && cw.n != int64(c.wantSize):
				t.Errorf("wrote %d bytes, want %d", cw.n, c.wantSize)
			}
			// Each case takes well under 2 s on an idle machine (see
			// benchmarks/RESULTS.md); quadratic time would take minutes,
			// so the bound leaves room for a loaded one.
			if el > 10*time.Second {
				t.Errorf("took %v", el)
			}
		})
	}
}

// TestWriteCAdversarialBpftool checks that the adversarial specs that
// WriteC writes come out as bpftool writes them, at a tenth of the length
// (bpftool is quadratic on some).
func TestWriteCAdversarialBpftool(t *testing.T) {
	testutil.RequireTool(t, "bpftool")
	for _, c := range cAdversarialCases {
		if c.want != "" || !c.bpftool {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			s := c.spec(t, cChainLen/10)
			path := filepath.Join(t.TempDir(), "adv.btf")
			if err := os.WriteFile(path, s.Marshal(nil), 0o644); err != nil {
				t.Fatal(err)
			}
			got, _ := writeCString(t, s, nil)
			cCompareText(t, c.name, []byte(got), bpftoolC(t, path, ""))
		})
	}
}

// TestCExpansionKernels measures the largest top-level definition and the
// largest padding gap WriteC writes for the testdata kernels, which
// CMaxExpansion and CMaxPaddingBytes must be far above.
func TestCExpansionKernels(t *testing.T) {
	if testing.Short() {
		t.Skip("writes two kernels")
	}
	for _, name := range testutil.Kernels {
		s, err := Decode(testutil.KernelBTF(t, name), nil)
		if err != nil {
			t.Fatal(err)
		}
		d, err := writeC(io.Discard, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: largest definition %d types, largest padding %d bytes", name, d.mostExpanded, d.mostPadding/8)
		if d.mostExpanded > CMaxExpansion/100 || d.mostPadding/8 > CMaxPaddingBytes/100 {
			t.Errorf("%s: within 100 times of a limit", name)
		}
	}
}

// BenchmarkWriteCAdversarial times WriteC on each adversarial case and,
// where bpftool is installed and writes the case in reasonable time,
// `bpftool btf dump file F format c` on the same spec, as the same-run
// reference (benchmarks/RESULTS.md).
func BenchmarkWriteCAdversarial(b *testing.B) {
	for _, c := range cAdversarialCases {
		s := c.spec(b, cChainLen)
		b.Run("btfhub/"+c.name, func(b *testing.B) {
			for b.Loop() {
				err := WriteC(io.Discard, s, nil)
				if (err == nil) != (c.want == "") {
					b.Fatal(err)
				}
			}
		})
		bpftool, err := exec.LookPath("bpftool")
		if err != nil || !c.bpftool {
			continue
		}
		path := filepath.Join(b.TempDir(), "adv.btf")
		if err := os.WriteFile(path, s.Marshal(nil), 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run("bpftool/"+c.name, func(b *testing.B) {
			for b.Loop() {
				cmd := exec.Command(bpftool, "btf", "dump", "file", path, "format", "c")
				cmd.Stdout = io.Discard
				if err := cmd.Run(); err != nil {
					// bpftool 7.1 runs out of stack on the array chain.
					b.Skipf("bpftool: %v", err)
				}
			}
		})
	}
}
