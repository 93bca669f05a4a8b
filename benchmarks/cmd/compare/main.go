// Command compare runs btfhub's decoder and the reference decoders on the
// same inputs in one run, for several rounds, and prints markdown tables of
// the medians and the ratio btfhub / reference, as benchmarks/RESULTS.md
// records them.
//
//	go run ./cmd/compare [-rounds 5] [-runs 5] [-bench kernel,prededup] [-benchtime 1s]
//
// Run it from the benchmarks module after scripts/bench-data.sh. The
// benchmarks:
//
//   - kernel: btf.Decode of the 6.1 kernel's BTF plus a read of every type,
//     against cilium/ebpf's LoadSpecFromReader plus Spec.All, measured with
//     testing.Benchmark in each round (ns/op, B/op, allocs/op);
//   - prededup: reading and decoding the 132 MB pre-dedup BTF, against
//     libbpf's btf__parse_raw timed by benchmarks/libbpf/parse_raw.c, runs
//     timed calls per side in each round.
//
// The sides alternate in each round, and which goes first alternates
// between rounds, so that a burst of load on a shared machine does not
// land on one side only. Medians are over rounds (kernel) or over every
// timed call of every round (prededup).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/btfhub/btfhub/benchmarks/decode"
)

func main() {
	testing.Init()
	rounds := flag.Int("rounds", 5, "rounds per benchmark")
	runs := flag.Int("runs", 5, "timed calls per side in each round of prededup")
	benches := flag.String("bench", "kernel,prededup", "comma-separated benchmarks to run: kernel, prededup")
	benchtime := flag.String("benchtime", "1s", "testing.Benchmark's -test.benchtime for each round of kernel")
	flag.Parse()
	if flag.NArg() != 0 || *rounds < 1 || *runs < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := flag.Set("test.benchtime", *benchtime); err != nil {
		fmt.Fprintf(os.Stderr, "compare: -benchtime: %v\n", err)
		os.Exit(2)
	}
	if err := run(os.Stdout, strings.Split(*benches, ","), *rounds, *runs); err != nil {
		fmt.Fprintf(os.Stderr, "compare: %v\n", err)
		os.Exit(1)
	}
}

func run(w io.Writer, benches []string, rounds, runs int) error {
	for _, name := range benches {
		if name != "kernel" && name != "prededup" {
			return fmt.Errorf("unknown benchmark %q", name)
		}
	}
	fmt.Fprint(w, machine())
	for _, name := range benches {
		var err error
		switch name {
		case "kernel":
			err = kernel(w, rounds)
		case "prededup":
			err = prededup(w, rounds, runs)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// machine describes where the benchmarks ran.
func machine() string {
	var b strings.Builder
	fmt.Fprintf(&b, "- date: %s\n", time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "- CPU: %s, nproc %d\n", cpuModel(), runtime.NumCPU())
	fmt.Fprintf(&b, "- kernel: %s\n", readTrim("/proc/sys/kernel/osrelease"))
	fmt.Fprintf(&b, "- load average at start: %s\n", readTrim("/proc/loadavg"))
	fmt.Fprintf(&b, "- Go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&b, "- cilium/ebpf: %s\n", moduleVersion("github.com/cilium/ebpf"))
	fmt.Fprintf(&b, "- libbpf: %s\n", debianVersion("libbpf1"))
	fmt.Fprintf(&b, "- C compiler: %s\n", firstLine("cc", "--version"))
	b.WriteString("\n")
	return b.String()
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for line := range strings.Lines(string(data)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func readTrim(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(data))
}

func moduleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == path {
				return m.Version
			}
		}
	}
	return "unknown"
}

func debianVersion(pkg string) string {
	out, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", pkg).Output()
	if err != nil {
		return "unknown (dpkg-query failed)"
	}
	return fmt.Sprintf("%s (Debian package %s)", out, pkg)
}

func firstLine(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return line
}

// median returns the median of xs, the mean of the middle two for an even
// count.
func median[T int64 | float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// side is one implementation's function in the kernel benchmark.
type side struct {
	name string
	fn   func([]byte) (decode.Summary, error)
}

func kernel(w io.Writer, rounds int) error {
	data, err := decode.Kernel61.Bytes()
	if err != nil {
		return err
	}
	sides := []side{{"btfhub", decode.BTFHub}, {"btfhub-reader", decode.BTFHubReader}, {"cilium", decode.Cilium}}
	ns := map[string][]int64{}
	bytes := map[string][]int64{}
	allocs := map[string][]int64{}
	for r := range rounds {
		order := slices.Clone(sides)
		if r%2 == 1 {
			slices.Reverse(order)
		}
		for _, s := range order {
			var failed error
			res := testing.Benchmark(func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := s.fn(data); err != nil {
						failed = err
						b.SkipNow()
					}
				}
			})
			if failed != nil {
				return fmt.Errorf("%s: %w", s.name, failed)
			}
			fmt.Fprintf(os.Stderr, "kernel round %d: %s %s %s\n", r+1, s.name, res, res.MemString())
			ns[s.name] = append(ns[s.name], res.NsPerOp())
			bytes[s.name] = append(bytes[s.name], res.AllocedBytesPerOp())
			allocs[s.name] = append(allocs[s.name], res.AllocsPerOp())
		}
	}
	fmt.Fprintf(w, "Medians of %d rounds of testing.Benchmark (-benchtime %s) per side, on %s (%d types, %s bytes).\n",
		rounds, flag.Lookup("test.benchtime").Value, decode.Kernel61.Name, decode.Kernel61.Types, group(int64(len(data))))
	fmt.Fprintf(w, "btfhub is btf.Decode; btfhub (reader) is btf.LoadSpecFromReader on a bytes.Reader, as cilium/ebpf's side is called.\n\n")
	fmt.Fprintf(w, "| metric | btfhub | btfhub (reader) | cilium/ebpf %s | btfhub / cilium | btfhub (reader) / cilium |\n", moduleVersion("github.com/cilium/ebpf"))
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|\n")
	row := func(metric string, m map[string][]int64, f func([]int64) int64) {
		o, or, c := f(m["btfhub"]), f(m["btfhub-reader"]), f(m["cilium"])
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", metric, group(o), group(or), group(c),
			ratio(float64(o), float64(c)), ratio(float64(or), float64(c)))
	}
	row("time, median (ns/op)", ns, median)
	row("time, fastest round (ns/op)", ns, slices.Min)
	row("allocated, median (B/op)", bytes, median)
	row("allocations, median (allocs/op)", allocs, median)
	fmt.Fprintf(w, "\nPer round, ns/op: btfhub %v, btfhub (reader) %v, cilium %v.\n\n", ns["btfhub"], ns["btfhub-reader"], ns["cilium"])
	return nil
}

func prededup(w io.Writer, rounds, runs int) error {
	path, err := decode.Prededup61.Path()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "btfhub-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	prog, err := decode.BuildParseRaw(dir)
	if err != nil {
		return err
	}
	var ours, warm, theirs []time.Duration
	var libbpf decode.ParseRawResult
	for r := range rounds {
		runOurs := func() error {
			s, err := decode.TimeReadAndDecode(path, runs, true)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "prededup round %d: btfhub %v\n", r+1, s)
			ours = append(ours, s...)
			return nil
		}
		runTheirs := func() error {
			res, err := decode.RunParseRaw(prog, path, runs)
			if err != nil {
				return err
			}
			if res.Types != decode.Prededup61.Types {
				return fmt.Errorf("libbpf parsed %d types, want %d", res.Types, decode.Prededup61.Types)
			}
			libbpf = res
			fmt.Fprintf(os.Stderr, "prededup round %d: libbpf %v\n", r+1, res.SamplesNs)
			for _, ns := range res.SamplesNs {
				theirs = append(theirs, time.Duration(ns))
			}
			return nil
		}
		runWarm := func() error {
			s, err := decode.TimeReadAndDecode(path, runs, false)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "prededup round %d: btfhub, heap reused %v\n", r+1, s)
			warm = append(warm, s...)
			return nil
		}
		order := []func() error{runOurs, runTheirs, runWarm}
		if r%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		for _, f := range order {
			if err := f(); err != nil {
				return err
			}
		}
	}
	retained, err := decode.RetainedBytes(path)
	if err != nil {
		return err
	}
	allocated, allocs, err := decode.Allocated(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Medians of %d timed calls per side (%d rounds of %d), on %s (%d types, %s bytes).\n\n",
		len(ours), rounds, runs, decode.Prededup61.Name, decode.Prededup61.Types, group(fileSize(path)))
	fmt.Fprintf(w, "| metric | btfhub | libbpf %s | btfhub / libbpf |\n", libbpf.Libbpf)
	fmt.Fprintf(w, "|---|---:|---:|---:|\n")
	om, tm := median(ours), median(theirs)
	fmt.Fprintf(w, "| time, median (ms) | %.1f | %.1f | %s |\n", ms(om), ms(tm), ratio(float64(om), float64(tm)))
	omin, tmin := slices.Min(ours), slices.Min(theirs)
	fmt.Fprintf(w, "| time, fastest (ms) | %.1f | %.1f | %s |\n", ms(omin), ms(tmin), ratio(float64(omin), float64(tmin)))
	fmt.Fprintf(w, "| heap held by the result (bytes) | %s | %s | %s |\n",
		group(int64(retained)), group(libbpf.RetainedBytes), ratio(float64(retained), float64(libbpf.RetainedBytes)))
	fmt.Fprintf(w, "| allocated per call (bytes) | %s | not measured | |\n", group(int64(allocated)))
	fmt.Fprintf(w, "| allocations per call | %d | not measured | |\n", allocs)
	fmt.Fprintf(w, "\nbtfhub with the heap reused between calls (runtime.GC only; no libbpf counterpart): median %.1f ms, fastest %.1f ms.\n\n",
		ms(median(warm)), ms(slices.Min(warm)))
	return nil
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// group formats n with thousands separators.
func group(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
