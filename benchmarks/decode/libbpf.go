package decode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/btfhub/btfhub/internal/testutil"
)

// ParseRawResult is what benchmarks/libbpf/parse_raw.c prints.
type ParseRawResult struct {
	Libbpf        string  `json:"libbpf"` // libbpf_version_string(), such as "v1.1"
	Runs          int     `json:"runs"`
	Types         int     `json:"types"`
	RetainedBytes int64   `json:"retained_bytes"`
	SamplesNs     []int64 `json:"samples_ns"`
	MedianNs      int64   `json:"median_ns"`
	MinNs         int64   `json:"min_ns"`
	MaxNs         int64   `json:"max_ns"`
}

// ParseRawSource returns the path of benchmarks/libbpf/parse_raw.c.
func ParseRawSource() string {
	return filepath.Join(testutil.RepoRoot(), "benchmarks", "libbpf", "parse_raw.c")
}

// BuildParseRaw compiles parse_raw.c against the system's libbpf (Debian's
// libbpf-dev) into dir and returns the program's path.
func BuildParseRaw(dir string) (string, error) {
	prog := filepath.Join(dir, "parse_raw")
	cmd := exec.Command("cc", "-O2", "-o", prog, ParseRawSource(), "-lbpf")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("cc: %w\n%s", err, out)
	}
	return prog, nil
}

// RunParseRaw runs a parse_raw program built by BuildParseRaw on file,
// timing runs calls of btf__parse_raw.
func RunParseRaw(prog, file string, runs int) (ParseRawResult, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(prog, file, strconv.Itoa(runs))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return ParseRawResult{}, fmt.Errorf("%s: %w: %s", prog, err, bytes.TrimSpace(stderr.Bytes()))
	}
	var res ParseRawResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return ParseRawResult{}, fmt.Errorf("%s: reading its output: %w", prog, err)
	}
	if res.Runs != runs || len(res.SamplesNs) != runs {
		return ParseRawResult{}, fmt.Errorf("%s: asked for %d runs, got %d", prog, runs, len(res.SamplesNs))
	}
	return res, nil
}
