package decode

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/testutil"
)

// input returns an input's bytes or stops the test.
func input(tb testing.TB, in Input) []byte {
	tb.Helper()
	data, err := in.Bytes()
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// path returns an input's prepared file, skipping (failing in CI) when
// scripts/bench-data.sh has not run.
func path(tb testing.TB, in Input) string {
	tb.Helper()
	p, err := in.Path()
	if errors.Is(err, ErrNoData) {
		testutil.Missing(tb, "%v", err)
	} else if err != nil {
		tb.Fatal(err)
	}
	return p
}

// TestWalksAgree checks that both benchmarked walks read the same thing
// from the 6.1 kernel: the same types, entries, names and numbers. A walk
// that skipped work, or a decoder that misread a field, would differ.
func TestWalksAgree(t *testing.T) {
	data := input(t, Kernel61)
	ours, err := BTFHub(data)
	if err != nil {
		t.Fatal(err)
	}
	viaReader, err := BTFHubReader(data)
	if err != nil {
		t.Fatal(err)
	}
	if viaReader != ours {
		t.Errorf("btfhub read %+v through LoadSpecFromReader, %+v through Decode", viaReader, ours)
	}
	theirs, err := Cilium(data)
	if err != nil {
		t.Fatal(err)
	}
	if ours.Types == 0 || ours.Entries == 0 || ours.NameBytes == 0 {
		t.Fatalf("walk read nothing: %+v", ours)
	}
	ours.Extra, theirs.Extra = 0, 0
	if ours != theirs {
		t.Errorf("btfhub read %+v, cilium/ebpf read %+v", ours, theirs)
	}
	t.Logf("both read %+v", ours)
	spec, err := btf.Decode(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if spec.NumTypes() != Kernel61.Types {
		t.Errorf("%s has %d types, want %d", Kernel61.Name, spec.NumTypes(), Kernel61.Types)
	}
}

// TestReadAndDecode checks the work of the prededup benchmark on its input.
func TestReadAndDecode(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 132 MB")
	}
	n, err := ReadAndDecode(path(t, Prededup61))
	if err != nil {
		t.Fatal(err)
	}
	if n != Prededup61.Types {
		t.Errorf("%s has %d types, want %d", Prededup61.Name, n, Prededup61.Types)
	}
}

// TestParseRaw checks that parse_raw.c builds against the system's libbpf
// and reports what libbpf parsed: the 6.1 kernel's type count and sane
// timings.
func TestParseRaw(t *testing.T) {
	testutil.RequireTool(t, "cc")
	prog, err := BuildParseRaw(t.TempDir())
	if err != nil {
		testutil.Missing(t, "building parse_raw.c (needs libbpf-dev): %v", err)
	}
	res, err := RunParseRaw(prog, testutil.KernelBTFFile(t, "6.1.0-53-cloud-amd64"), 3)
	if err != nil {
		t.Fatal(err)
	}
	if res.Types != Kernel61.Types {
		t.Errorf("libbpf parsed %d types, want %d", res.Types, Kernel61.Types)
	}
	if res.MinNs <= 0 || res.MinNs > res.MedianNs || res.MedianNs > res.MaxNs {
		t.Errorf("inconsistent timings: %+v", res)
	}
	// libbpf keeps a copy of the file and an index of the types.
	if res.RetainedBytes < 4112879 {
		t.Errorf("libbpf holds %d bytes for a 4112879-byte file", res.RetainedBytes)
	}
	if _, err := RunParseRaw(prog, ParseRawSource(), 1); err == nil {
		t.Error("parse_raw accepted a C source file as BTF")
	}
}

// BenchmarkKernel decodes the 6.1 kernel's BTF and reads every type, with
// btfhub (btf.Decode, and btf.LoadSpecFromReader as cilium/ebpf's side
// does) and with cilium/ebpf (whose Spec.All inflates every type). The
// input is decompressed once, outside the timer.
func BenchmarkKernel(b *testing.B) {
	data := input(b, Kernel61)
	for _, impl := range []struct {
		name string
		fn   func([]byte) (Summary, error)
	}{
		{"impl=btfhub", BTFHub},
		{"impl=btfhub-reader", BTFHubReader},
		{"impl=cilium", Cilium},
	} {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := impl.fn(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPrededup reads and decodes the 132 MB pre-dedup BTF with
// btfhub, and with libbpf's btf__parse_raw through libbpf/parse_raw.c.
// Both sides time each of b.N calls alone, freeing the result outside
// their clock (see TimeReadAndDecode), and report the median as ns/op.
// The benchmark timer keeps running over the whole loop, frees and
// warm-up included, so that testing picks a b.N that fits -benchtime.
func BenchmarkPrededup(b *testing.B) {
	file := path(b, Prededup61)
	b.Run("impl=btfhub", func(b *testing.B) {
		b.ReportAllocs()
		samples, err := TimeReadAndDecode(file, b.N, true)
		if err != nil {
			b.Fatal(err)
		}
		bytes, allocs, err := Allocated(file)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(medianDuration(samples)), "ns/op")
		b.ReportMetric(float64(bytes), "B/op")
		b.ReportMetric(float64(allocs), "allocs/op")
	})
	b.Run("impl=libbpf", func(b *testing.B) {
		prog, err := BuildParseRaw(b.TempDir())
		if err != nil {
			testutil.Missing(b, "building parse_raw.c: %v", err)
		}
		res, err := RunParseRaw(prog, file, b.N)
		if err != nil {
			b.Fatal(err)
		}
		if res.Types != Prededup61.Types {
			b.Fatalf("libbpf parsed %d types, want %d", res.Types, Prededup61.Types)
		}
		b.ReportMetric(float64(res.MedianNs), "ns/op")
	})
}

func medianDuration(xs []time.Duration) time.Duration {
	s := slices.Clone(xs)
	slices.Sort(s)
	return (s[(len(s)-1)/2] + s[len(s)/2]) / 2
}
