package dedup

import (
	"bytes"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/btfhub/btfhub/btf"
)

// TestKernelMatchesLibbpf deduplicates the BTF pahole 1.24 handed to
// libbpf 1.1 for Debian's 6.1 kernel, and compares the result with libbpf's
// output, byte for byte.
func TestKernelMatchesLibbpf(t *testing.T) {
	if testing.Short() {
		t.Skip("3.4 million types")
	}
	raw := testdataXZ(t, prededupName)
	want := testdataXZ(t, libbpfName)
	spec, err := btf.Decode(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, res, err := Dedup(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Before != 3404422 || res.After != 94630 {
		t.Errorf("types: %d -> %d, want 3404422 -> 94630", res.Before, res.After)
	}
	got := out.Marshal(nil)
	if !bytes.Equal(got, want) {
		t.Fatalf("output differs from libbpf's: %s", describeDiff(t, got, want))
	}
}

// TestKernelPhases prints the time of each pass on the pre-dedup kernel
// when DEDUP_PHASES is set; it is a development aid, not a measurement.
func TestKernelPhases(t *testing.T) {
	if os.Getenv("DEDUP_PHASES") == "" {
		t.Skip("set DEDUP_PHASES=1 to print the time of each pass")
	}
	spec, err := btf.Decode(testdataXZ(t, prededupName), nil)
	if err != nil {
		t.Fatal(err)
	}
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	for range 3 {
		last, lastCPU := time.Now(), cpu()
		start, startCPU := last, lastCPU
		phaseHook = func(name string) {
			now, nowCPU := time.Now(), cpu()
			t.Logf("%-8s wall %-12v cpu %v", name, now.Sub(last), nowCPU-lastCPU)
			last, lastCPU = now, nowCPU
		}
		if _, _, err := Dedup(spec, nil); err != nil {
			t.Fatal(err)
		}
		phaseHook = nil
		t.Logf("total    wall %-12v cpu %v", time.Since(start), cpu()-startCPU)
	}
}
