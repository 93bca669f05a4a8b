package dedupbench

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/btfhub/btfhub/benchmarks/decode"
	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/dedup"
	"github.com/btfhub/btfhub/internal/testutil"
)

// report is what both godedup and benchmarks/libbpf/dedup.c print.
type report struct {
	TypesBefore int   `json:"types_before"`
	TypesAfter  int   `json:"types_after"`
	DedupNs     int64 `json:"dedup_ns"`
	DedupCPUNs  int64 `json:"dedup_cpu_ns"`
	MaxRSSKB    int64 `json:"maxrss_kb"`
}

func input(b *testing.B) string {
	path, err := decode.Prededup61.Path()
	if errors.Is(err, decode.ErrNoData) {
		testutil.Missing(b, "%v", err)
	}
	if err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkDedup times dedup.Dedup on the pre-dedup kernel, in process.
func BenchmarkDedup(b *testing.B) {
	data, err := os.ReadFile(input(b))
	if err != nil {
		b.Fatal(err)
	}
	spec, err := btf.Decode(data, nil)
	if err != nil {
		b.Fatal(err)
	}
	data = nil
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := dedup.Dedup(spec, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// build compiles both programs into dir.
func build(b *testing.B, dir string) (ours, theirs string) {
	testutil.RequireTool(b, "cc")
	root := testutil.RepoRoot()
	if out, err := exec.Command("sh", filepath.Join(root, "benchmarks", "libbpf", "build.sh"), dir).CombinedOutput(); err != nil {
		b.Fatalf("building dedup.c: %v\n%s", err, out)
	}
	ours = filepath.Join(dir, "godedup")
	cmd := exec.Command("go", "build", "-o", ours, "./dedupbench/godedup")
	cmd.Dir = filepath.Join(root, "benchmarks")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("building godedup: %v\n%s", err, out)
	}
	return ours, filepath.Join(dir, "dedup")
}

func run(b *testing.B, prog, in, out string) report {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(prog, in, out)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v: %s", prog, err, stderr.Bytes())
	}
	var r report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		b.Fatalf("%s: %v", prog, err)
	}
	return r
}

func median(v []int64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return float64(s[len(s)/2])
}

// BenchmarkDedupVsLibbpf runs both tools once per iteration, alternately,
// checks that their outputs are byte-identical, and reports medians.
func BenchmarkDedupVsLibbpf(b *testing.B) {
	in := input(b)
	dir := b.TempDir()
	ours, theirs := build(b, dir)
	outOurs, outTheirs := filepath.Join(dir, "ours.btf"), filepath.Join(dir, "theirs.btf")
	var wo, wt, co, ct, ro, rt []int64
	for b.Loop() {
		o := run(b, ours, in, outOurs)
		t := run(b, theirs, in, outTheirs)
		wo, wt = append(wo, o.DedupNs), append(wt, t.DedupNs)
		co, ct = append(co, o.DedupCPUNs), append(ct, t.DedupCPUNs)
		ro, rt = append(ro, o.MaxRSSKB), append(rt, t.MaxRSSKB)
	}
	a, err := os.ReadFile(outOurs)
	if err != nil {
		b.Fatal(err)
	}
	c, err := os.ReadFile(outTheirs)
	if err != nil {
		b.Fatal(err)
	}
	if !bytes.Equal(a, c) {
		b.Fatal("outputs differ")
	}
	b.ReportMetric(median(wo)/1e6, "btfhub-ms")
	b.ReportMetric(median(wt)/1e6, "libbpf-ms")
	b.ReportMetric(median(wo)/median(wt), "wall-ratio")
	b.ReportMetric(median(co)/1e6, "btfhub-cpu-ms")
	b.ReportMetric(median(ct)/1e6, "libbpf-cpu-ms")
	b.ReportMetric(median(co)/median(ct), "cpu-ratio")
	b.ReportMetric(median(ro)/1024, "btfhub-rss-MB")
	b.ReportMetric(median(rt)/1024, "libbpf-rss-MB")
}
