// Command godedup is the Go counterpart of benchmarks/libbpf/dedup.c: it
// deduplicates one raw BTF file with btfhub's dedup package, times only the
// dedup.Dedup call, writes the raw result and prints the same JSON report.
//
//	godedup IN OUT [BASE]
//
// The peak RSS it reports is that of the whole job: reading, decoding,
// deduplicating and writing.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/dedup"
)

type report struct {
	Tool        string `json:"tool"`
	TypesBefore int    `json:"types_before"`
	TypesAfter  int    `json:"types_after"`
	DedupNs     int64  `json:"dedup_ns"`
	DedupCPUNs  int64  `json:"dedup_cpu_ns"`
	MaxRSSKB    int64  `json:"maxrss_kb"`
}

func main() {
	if len(os.Args) != 3 && len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: godedup IN OUT [BASE]")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3:]); err != nil {
		fmt.Fprintln(os.Stderr, "godedup:", err)
		os.Exit(1)
	}
}

func run(in, out string, basePath []string) error {
	var base *btf.Spec
	if len(basePath) == 1 {
		var err error
		if base, err = btf.LoadSpec(basePath[0], nil); err != nil {
			return err
		}
	}
	// LoadSpec reads the file into one buffer and decodes it in place,
	// as the btfhub CLI does.
	spec, err := btf.LoadSpec(in, &btf.LoadOptions{Base: base})
	if err != nil {
		return err
	}

	cpuStart := cpuTime()
	start := time.Now()
	res, stats, err := dedup.Dedup(spec, nil)
	ns := time.Since(start)
	cpu := cpuTime() - cpuStart
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}

	tmp, err := os.CreateTemp(filepath.Dir(out), ".godedup-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := res.WriteTo(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}

	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return json.NewEncoder(os.Stdout).Encode(report{
		Tool:        "btfhub",
		TypesBefore: stats.Before,
		TypesAfter:  stats.After,
		DedupNs:     ns.Nanoseconds(),
		DedupCPUNs:  cpu.Nanoseconds(),
		MaxRSSKB:    ru.Maxrss,
	})
}

// cpuTime returns the process's user plus system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
