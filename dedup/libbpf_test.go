package dedup

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/testutil"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if refDir != "" {
		os.RemoveAll(refDir)
	}
	os.Exit(code)
}

var (
	refOnce sync.Once
	refDir  string
	refProg string
	refErr  error
)

// libbpfDedup returns the path of benchmarks/libbpf/dedup.c built against
// the system's libbpf, building it on first use.
func libbpfDedup(tb testing.TB) string {
	tb.Helper()
	testutil.RequireTool(tb, "cc")
	if _, err := os.Stat("/usr/include/bpf/btf.h"); err != nil {
		testutil.Missing(tb, "libbpf-dev is not installed (make deps installs it)")
	}
	refOnce.Do(func() {
		refDir, refErr = os.MkdirTemp("", "dedup-ref-")
		if refErr != nil {
			return
		}
		script := filepath.Join(testutil.RepoRoot(), "benchmarks", "libbpf", "build.sh")
		out, err := exec.Command("sh", script, refDir).CombinedOutput()
		if err != nil {
			refErr = fmt.Errorf("building dedup.c: %v\n%s", err, out)
			return
		}
		refProg = filepath.Join(refDir, "dedup")
	})
	if refErr != nil {
		tb.Fatal(refErr)
	}
	return refProg
}

// libbpfReport is what benchmarks/libbpf/dedup.c prints.
type libbpfReport struct {
	Libbpf      string `json:"libbpf"`
	TypesBefore int    `json:"types_before"`
	TypesAfter  int    `json:"types_after"`
	DedupNs     int64  `json:"dedup_ns"`
	MaxRSSKB    int64  `json:"maxrss_kb"`
}

// runLibbpf deduplicates raw (split over base when base is not nil) with
// libbpf. It returns the output, or libbpf's error message.
func runLibbpf(tb testing.TB, base, raw []byte) ([]byte, libbpfReport, error) {
	tb.Helper()
	prog := libbpfDedup(tb)
	dir := tb.TempDir()
	in, out := filepath.Join(dir, "in.btf"), filepath.Join(dir, "out.btf")
	if err := os.WriteFile(in, raw, 0o644); err != nil {
		tb.Fatal(err)
	}
	args := []string{in, out}
	if base != nil {
		b := filepath.Join(dir, "base.btf")
		if err := os.WriteFile(b, base, 0o644); err != nil {
			tb.Fatal(err)
		}
		args = append(args, b)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(prog, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var rep libbpfReport
	if err := cmd.Run(); err != nil {
		return nil, rep, errors.New(string(bytes.TrimSpace(stderr.Bytes())))
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		tb.Fatalf("reading dedup.c's report %q: %v", stdout.Bytes(), err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return data, rep, nil
}

// dedupBoth deduplicates raw BTF (split over base when base is not nil)
// with this package and with libbpf 1.1 (benchmarks/libbpf/dedup.c), fails
// the test unless both give the same bytes, and returns our result.
func dedupBoth(t *testing.T, base, raw []byte) *btf.Spec {
	t.Helper()
	var baseSpec *btf.Spec
	if base != nil {
		var err error
		if baseSpec, err = btf.Decode(base, nil); err != nil {
			t.Fatalf("decoding base: %v", err)
		}
	}
	spec, err := btf.Decode(raw, baseSpec)
	if err != nil {
		t.Fatalf("decoding input: %v", err)
	}
	out, _, err := Dedup(spec, nil)
	if err != nil {
		t.Fatalf("Dedup: %v", err)
	}
	got := out.Marshal(nil)
	want, _, lerr := runLibbpf(t, base, raw)
	if lerr != nil {
		t.Fatalf("libbpf failed where we did not: %v", lerr)
	}
	if !bytes.Equal(got, want) {
		ws, err := btf.Decode(want, baseSpec)
		if err != nil {
			t.Fatalf("output differs from libbpf's, whose output does not decode: %v", err)
		}
		t.Fatalf("output differs from libbpf's: %s\ngot:\n%s\nwant:\n%s", diffSpecs(out, ws), dumpText(t, out), dumpText(t, ws))
	}
	return out
}

// dumpText returns the bpftool raw dump of a spec's own types.
func dumpText(t *testing.T, s *btf.Spec) string {
	t.Helper()
	var b bytes.Buffer
	if err := btf.WriteText(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// rawBTF encodes a little-endian raw BTF blob from type words and a string
// section as given, which lets tests hold duplicate or unused strings that
// Builder would not write.
func rawBTF(types []uint32, strs string) []byte {
	const hdr = 24
	buf := make([]byte, hdr+4*len(types)+len(strs))
	le := binary.LittleEndian
	le.PutUint16(buf[0:], btf.Magic)
	buf[2] = 1
	le.PutUint32(buf[4:], hdr)
	le.PutUint32(buf[8:], 0)
	le.PutUint32(buf[12:], uint32(4*len(types)))
	le.PutUint32(buf[16:], uint32(4*len(types)))
	le.PutUint32(buf[20:], uint32(len(strs)))
	for i, w := range types {
		le.PutUint32(buf[hdr+4*i:], w)
	}
	copy(buf[hdr+4*len(types):], strs)
	return buf
}
