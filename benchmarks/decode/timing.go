package decode

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/btfhub/btfhub/btf"
)

// TimeReadAndDecode times runs calls of ReadAndDecode on path, the
// counterpart of parse_raw.c's loop: one untimed warm-up call, then each
// call timed alone.
//
// With fresh set, before each call and outside the timer,
// debug.FreeOSMemory collects the garbage of the call before and returns
// the freed memory to the kernel. That is what parse_raw.c's btf__free does
// outside its timer: glibc serves allocations this large with mmap and
// unmaps them when they are freed. So each call on either side starts from
// fresh pages and pays for faulting them in, as a process that decodes one
// file does. Without fresh, only runtime.GC runs between calls and each
// call reuses the pages of the one before, as in a long-running program
// that decodes many files.
func TimeReadAndDecode(path string, runs int, fresh bool) ([]time.Duration, error) {
	if _, err := ReadAndDecode(path); err != nil {
		return nil, err
	}
	samples := make([]time.Duration, runs)
	for i := range samples {
		if fresh {
			debug.FreeOSMemory()
		} else {
			runtime.GC()
		}
		start := time.Now()
		if _, err := ReadAndDecode(path); err != nil {
			return nil, err
		}
		samples[i] = time.Since(start)
	}
	return samples, nil
}

// RetainedBytes returns how much more live heap there is while the spec
// decoded from the file at path is reachable than before it was read: the
// memory the result holds, as parse_raw.c's retained_bytes is for libbpf.
func RetainedBytes(path string) (uint64, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	spec, err := btf.Decode(data, nil)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(spec)
	if after.HeapAlloc < before.HeapAlloc {
		return 0, nil
	}
	return after.HeapAlloc - before.HeapAlloc, nil
}

// Allocated returns how many bytes one call of ReadAndDecode on path
// allocates, garbage included, and in how many allocations.
func Allocated(path string) (bytes, allocs uint64, err error) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := ReadAndDecode(path); err != nil {
		return 0, 0, err
	}
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, after.Mallocs - before.Mallocs, nil
}
