package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/btfhub/btfhub/internal/testutil"
)

// maxRSS bounds the peak resident memory of btfhub on each adversarial
// input below, in bytes.
const maxRSS = 200 << 20

// zerosXZ is an xz file that expands to n<<26 zero bytes: one stream of
// 64 MiB of zeros, repeated (xz readers read concatenated streams).
func zerosXZ(t *testing.T, n int) []byte {
	return bytes.Repeat(testutil.XZ(t, make([]byte, 64<<20)), n)
}

// tarballClaiming is an xz tarball whose one entry, name, declares size
// bytes and holds zeros; only its first MiB is there.
func tarballClaiming(t *testing.T, name string, size int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: size}); err != nil {
		t.Fatal(err)
	}
	buf.Write(make([]byte, 1<<20))
	return testutil.XZ(t, buf.Bytes())
}

// debClaiming is a .deb whose data.tar.xz holds a vmlinux that declares
// size bytes of zeros; only its first MiB is there.
func debClaiming(t *testing.T, release string, size int64) []byte {
	t.Helper()
	data := tarballClaiming(t, "./usr/lib/debug/boot/vmlinux-"+release, size)
	var buf bytes.Buffer
	buf.WriteString("!<arch>\n")
	member := func(name string, content []byte) {
		fmt.Fprintf(&buf, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", name, 0, 0, 0, "100644", len(content))
		buf.Write(content)
		if len(content)%2 == 1 {
			buf.WriteByte('\n')
		}
	}
	member("debian-binary", []byte("2.0\n"))
	member("data.tar.xz", data)
	return buf.Bytes()
}

// runBounded runs btfhub once per argument list, each with a memory
// limit and a deadline, and returns what each did. It runs them from one
// fresh helper process (TestRSSHelper): Linux carries the peak RSS of the
// process that calls exec over to the program it runs, and this test
// process may have grown large.
func runBounded(t *testing.T, runs [][]string) []rssResult {
	t.Helper()
	enc, _ := json.Marshal(rssRequest{Bin: btfhubBin, Runs: runs})
	cmd := exec.Command(os.Args[0], "-test.run=^TestRSSHelper$")
	cmd.Env = append(os.Environ(), "BTFHUB_RSS_HELPER="+string(enc))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v: %s", err, out)
	}
	var res []rssResult
	if err := json.Unmarshal(out[:bytes.IndexByte(out, '\n')], &res); err != nil || len(res) != len(runs) {
		t.Fatalf("helper said %q: %v", out, err)
	}
	return res
}

// rssRequest is what TestRSSHelper runs.
type rssRequest struct {
	Bin  string
	Runs [][]string
}

// rssResult is what TestRSSHelper reports of one run.
type rssResult struct {
	Stderr  string
	Code    int
	RSS     int64
	Timeout bool
	Took    time.Duration
}

// TestRSSHelper runs the commands of the rssRequest in
// $BTFHUB_RSS_HELPER one after the other with GOMEMLIMIT set, and prints
// their rssResults as JSON on a line.
func TestRSSHelper(t *testing.T) {
	spec := os.Getenv("BTFHUB_RSS_HELPER")
	if spec == "" {
		t.Skip("helper process only")
	}
	var req rssRequest
	if err := json.Unmarshal([]byte(spec), &req); err != nil {
		t.Fatal(err)
	}
	var res []rssResult
	for _, args := range req.Runs {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, req.Bin, args...)
		cmd.Env = append(os.Environ(), "GOMEMLIMIT=150MiB")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		r := rssResult{Stderr: strings.TrimSpace(stderr.String()), Timeout: ctx.Err() != nil}
		cancel()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			r.Code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		r.RSS = cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
		r.Took = time.Since(start)
		res = append(res, r)
	}
	b, _ := json.Marshal(res)
	os.Stdout.Write(append(b, '\n'))
}

func TestHostileInputsMemory(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	put := func(p string, data []byte) string {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const rel = "6.1.0-1-amd64"
	kdir := "debian/12/x86_64"

	zeroCat := mk("zero-catalogue")
	os.Symlink("/dev/zero", filepath.Join(zeroCat, "btfhub-catalogue.json"))
	fifoCat := mk("fifo-catalogue")
	syscall.Mkfifo(filepath.Join(fifoCat, "btfhub-catalogue.json"), 0o644)
	bigEntry := mk("big-entry")
	put(filepath.Join(bigEntry, kdir, rel+".btf.tar.xz"), tarballClaiming(t, rel+".btf", 900<<20))
	zeroEntry := mk("zero-entry")
	put(filepath.Join(zeroEntry, kdir, rel+".btf.tar.xz"), tarballClaiming(t, rel+".btf", 60<<20))
	bomb := put(filepath.Join(dir, "bomb.btf.xz"), zerosXZ(t, 32))
	many := mk("many-entries")
	var cat bytes.Buffer
	cat.WriteString(`{"format":"btfhub-catalogue","version":2,"checksum":"xxh64:0000000000000000","entries":[`)
	for i := range 300_000 {
		if i > 0 {
			cat.WriteByte(',')
		}
		fmt.Fprintf(&cat, `{"distro":"debian","version":"12","arch":"x86_64","release":"6.1.%07d","xxh64":"0123456789abcdef","raw_size":1,"compressed_size":1,"types":1,"encoder":"raw"}`+"\n", i)
	}
	cat.WriteString("]}")
	put(filepath.Join(many, "btfhub-catalogue.json"), cat.Bytes())
	cat = bytes.Buffer{}
	deb := put(filepath.Join(dir, "linux-image-"+rel+"-dbg_1_amd64.deb"), debClaiming(t, rel, 3<<30))
	small := put(filepath.Join(dir, rel+".btf"), []byte{
		0x9f, 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 16, 0, 0, 0, 5, 0, 0, 0,
		1, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 32, 0, 0, 0, 0, 'i', 'n', 't', 0})
	// 64 MiB of headers of BPF objects whose sections lie past the end.
	hdr, _ := hex.DecodeString("7f454c460201010000000000000000000100f70001000000000000000000000000000000000000000000000000010000" +
		"00000000400000000000400004000300")
	fakeELF := put(filepath.Join(dir, "fake-elf"), bytes.Repeat(hdr, 1<<20))
	linked := mk("linked")
	os.Symlink(t.TempDir(), filepath.Join(linked, "debian"))

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"empty tree (baseline)", []string{"archive", "list", mk("empty")}, ""},
		{"catalogue /dev/zero", []string{"archive", "list", zeroCat},
			"btfhub: bad catalogue: " + zeroCat + "/btfhub-catalogue.json: is or goes through a symbolic link"},
		{"catalogue of 300000 entries", []string{"archive", "list", many},
			"btfhub: " + many + "/btfhub-catalogue.json: bad catalogue: more than 100000 entries"},
		{"catalogue FIFO", []string{"archive", "list", fifoCat},
			"btfhub: bad catalogue: " + fifoCat + "/btfhub-catalogue.json: not a regular file (a FIFO)"},
		{"900 MB entry", []string{"archive", "get", bigEntry, "--release", rel, "-o", filepath.Join(dir, "out")},
			"btfhub: " + bigEntry + "/" + kdir + "/" + rel + ".btf.tar.xz: " + rel + ".btf: 943718400 bytes: larger than the limit (67108864)"},
		{"60 MB of zeros", []string{"archive", "get", zeroEntry, "--release", rel, "-o", filepath.Join(dir, "out")},
			"btfhub: " + zeroEntry + "/" + kdir + "/" + rel + ".btf.tar.xz: " + rel + ".btf: corrupt archive file: btf: offset 0x0: bad magic 0x0000"},
		{"2 GB xz bomb, stats", []string{"stats", bomb},
			"btfhub: " + bomb + ": xz: btf: offset 0x0: bad magic 0x0000"},
		{"2 GB xz bomb, validate", []string{"validate", bomb},
			"btfhub: " + bomb + ": xz: btf: offset 0x0: bad magic 0x0000"},
		{"deb with 3 GB of zeros as vmlinux", []string{"archive", "add", mk("deb-tree"), "--distro", "debian", "--version", "12", "--arch", "x86_64", deb},
			deb + ": usr/lib/debug/boot/vmlinux-" + rel + ": not an ELF file: starts with \"\\x00\\x00\\x00\\x00\""},
		{"deb with 3 GB of zeros as vmlinux, encode", []string{"encode", deb, "-o", filepath.Join(dir, "enc.btf")},
			deb + ": usr/lib/debug/boot/vmlinux-" + rel + ": not an ELF file: starts with \"\\x00\\x00\\x00\\x00\""},
		{"64 MiB of fake BPF ELF headers", []string{"objects", fakeELF},
			"btfhub: " + fakeELF + ": objects: BPF ELF header at offset 0x0: section header table at 0x10000000000+0x100 runs past the end of the data"},
		{"add into a linked directory", []string{"archive", "add", linked, "--distro", "debian", "--version", "12", "--arch", "x86_64", small},
			linked + "/debian: is or goes through a symbolic link"},
	}
	var runs [][]string
	for _, c := range cases {
		runs = append(runs, c.args)
	}
	for i, r := range runBounded(t, runs) {
		c := cases[i]
		t.Logf("%s: exit %d, peak RSS %d MB, %v", c.name, r.Code, r.RSS>>20, r.Took.Round(time.Millisecond))
		switch {
		case r.Timeout:
			t.Errorf("%s: did not finish in 30 s", c.name)
		case c.want == "" && r.Code != 0:
			t.Errorf("%s: exit %d, stderr %q", c.name, r.Code, r.Stderr)
		case c.want != "" && (r.Code != 1 || !strings.Contains(r.Stderr, c.want)):
			t.Errorf("%s: exit %d, stderr %q, want %q", c.name, r.Code, r.Stderr, c.want)
		}
		if r.RSS > maxRSS {
			t.Errorf("%s: peak RSS %d MB, more than %d MB", c.name, r.RSS>>20, maxRSS>>20)
		}
	}
}
