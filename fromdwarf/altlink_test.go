package fromdwarf

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/testutil"
)

// The tests of this file build programs that share types, compress their
// DWARF with dwz -m into a supplementary file, and check that encoding
// them follows the links to it: the same BTF as without dwz.

// buildDWZPrograms builds the programs "a" (testdata/dwzm/a.c and a2.c)
// and "b" (b.c) with cc and flags into dir.
func buildDWZPrograms(t *testing.T, cc, dir string, flags ...string) (a, b string) {
	t.Helper()
	path := testutil.RequireTool(t, cc)
	src, err := filepath.Abs("testdata/dwzm")
	if err != nil {
		t.Fatal(err)
	}
	a, b = filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for out, srcs := range map[string][]string{a: {"a.c", "a2.c"}, b: {"b.c"}} {
		args := append(slices.Clone(flags), "-o", out)
		for _, s := range srcs {
			args = append(args, filepath.Join(src, s))
		}
		if msg, err := exec.Command(path, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", cc, strings.Join(args, " "), err, msg)
		}
	}
	return a, b
}

// runDWZ runs dwz with args in dir.
func runDWZ(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(testutil.RequireTool(t, "dwz"), args...)
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dwz %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// encodeNoWarn encodes path with opts, failing the test on a warning.
func encodeNoWarn(t *testing.T, path string, opts Options) *btf.Spec {
	t.Helper()
	opts.Warn = func(e error) { t.Errorf("%s: warning: %v", filepath.Base(path), e) }
	s, _, err := EncodeFile(path, &opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sameBTF reports how got differs from want: per-kind counts, named types,
// size.
func sameBTF(t *testing.T, name string, got, want *btf.Spec) {
	t.Helper()
	for _, p := range compareSpecs(got, want, 0) {
		t.Errorf("%s: %s", name, p)
	}
	if g, w := got.MarshalSize(), want.MarshalSize(); g != w {
		t.Errorf("%s: %d bytes of BTF, %d without dwz", name, g, w)
	}
}

// altImports counts the imports of units of the supplementary file in
// the ELF file at path.
func altImports(t *testing.T, path string) int {
	t.Helper()
	d := mustLoadDWARF(t, path)
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	link, err := altLinkOf(f)
	if err != nil || link == nil {
		t.Fatalf("%s: link %v, %v", path, link, err)
	}
	alt, err := openAlt(link, path, &Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer alt.close()
	d.alt = alt.d
	n := 0
	for _, u := range d.units {
		dies, _, err := d.readUnit(&u, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range dies {
			if e.tag == tagImportedUnit && e.is(hasImport) && e.importOff&altOffset != 0 {
				n++
			}
		}
	}
	return n
}

// TestAltLink builds two programs with shared types, moves what they share
// into a supplementary file with dwz -m (the GNU form, and DWARF 5's with
// -5) and encodes each: the BTF is that of the programs before dwz.
func TestAltLink(t *testing.T) {
	for _, tc := range []struct {
		cc, dwarf string
		dwz       []string
		section   string
	}{
		{"gcc", "-gdwarf-4", nil, ".gnu_debugaltlink"},
		{"gcc", "-gdwarf-4", []string{"-5"}, ".debug_sup"},
		{"gcc", "-gdwarf-5", nil, ".gnu_debugaltlink"},
		// DWARF 4: dwz 0.15 does not know DWARF 5's .debug_addr.
		{"clang", "-gdwarf-4", nil, ".gnu_debugaltlink"},
	} {
		t.Run(fmt.Sprintf("%s%s%s", tc.cc, tc.dwarf, strings.Join(tc.dwz, "")), func(t *testing.T) {
			dir := t.TempDir()
			a, b := buildDWZPrograms(t, tc.cc, dir, "-g", tc.dwarf, "-O2")
			plainA := encodeNoWarn(t, a, Options{})
			plainB := encodeNoWarn(t, b, Options{})
			runDWZ(t, dir, append(slices.Clone(tc.dwz), "-m", "common.dwz", "a", "b")...)

			f, err := os.Open(a)
			if err != nil {
				t.Fatal(err)
			}
			link, err := ReadAltLink(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			if link == nil || link.Path != "common.dwz" || link.Section != tc.section || len(link.ID) == 0 {
				t.Fatalf("link %+v, want common.dwz in %s", link, tc.section)
			}
			if n := altImports(t, a); n == 0 {
				t.Fatal("a imports no unit of the supplementary file; the test tests nothing")
			}

			for _, p := range []struct {
				path  string
				plain *btf.Spec
			}{{a, plainA}, {b, plainB}} {
				got := encodeNoWarn(t, p.path, Options{})
				sameBTF(t, filepath.Base(p.path), got, p.plain)
				one := encodeNoWarn(t, p.path, Options{Jobs: 1})
				if !bytes.Equal(one.Marshal(nil), got.Marshal(nil)) {
					t.Errorf("%s: output with 1 job differs", p.path)
				}
			}
			if _, err := encodeNoWarn(t, a, Options{}).TypeByName("big2", btf.KindStruct); err != nil {
				t.Error(err)
			}
		})
	}
}

// dwzPair builds programs a and b in a new directory and runs dwz -m
// common.dwz over them, so that their link is "common.dwz". It returns
// the directory and the BTF of a before dwz.
func dwzPair(t *testing.T) (string, *btf.Spec) {
	t.Helper()
	dir := t.TempDir()
	a, _ := buildDWZPrograms(t, "gcc", dir, "-g", "-gdwarf-4", "-O2")
	plain := encodeNoWarn(t, a, Options{})
	runDWZ(t, dir, "-m", "common.dwz", "a", "b")
	return dir, plain
}

// TestAltLookup checks where the supplementary file is looked for, and the
// errors when it is missing or is another file.
func TestAltLookup(t *testing.T) {
	dir, plain := dwzPair(t)
	a, alt := filepath.Join(dir, "a"), filepath.Join(dir, "common.dwz")
	aData, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	altData, err := os.ReadFile(alt)
	if err != nil {
		t.Fatal(err)
	}
	link, err := ReadAltLink(bytes.NewReader(aData))
	if err != nil || link == nil {
		t.Fatalf("link %v, %v", link, err)
	}
	// The same file with its build-id changed.
	i := bytes.Index(altData, link.ID)
	if i < 0 {
		t.Fatal("the supplementary file does not hold its build-id")
	}
	other := bytes.Clone(altData)
	other[i] ^= 0xff
	otherID := other[i : i+len(link.ID)]
	otherPath := filepath.Join(t.TempDir(), "other.dwz")
	if err := os.WriteFile(otherPath, other, 0o644); err != nil {
		t.Fatal(err)
	}

	// Relative to the ELF file's directory.
	sameBTF(t, "relative", encodeNoWarn(t, a, Options{}), plain)

	// Moved elsewhere: not found, naming the path tried.
	moved := filepath.Join(t.TempDir(), "a")
	copyFile(t, a, moved)
	_, _, err = EncodeFile(moved, nil)
	if !errors.Is(err, ErrNoAltFile) || !strings.Contains(err.Error(), filepath.Join(filepath.Dir(moved), "common.dwz")) {
		t.Errorf("moved: got %v, want ErrNoAltFile naming the path tried", err)
	}
	// In memory, the directory is unknown.
	if _, _, err := EncodeBytes(aData, nil); !errors.Is(err, ErrNoAltFile) || !strings.Contains(err.Error(), "relative") {
		t.Errorf("bytes: got %v, want ErrNoAltFile", err)
	}

	// Given explicitly, as a path or as data.
	sameBTF(t, "AltFile", encodeNoWarn(t, moved, Options{AltFile: alt}), plain)
	s, _, err := EncodeBytes(aData, &Options{AltData: altData})
	if err != nil {
		t.Fatal(err)
	}
	sameBTF(t, "AltData", s, plain)

	// Another file: an error naming both build-ids.
	for name, opts := range map[string]*Options{
		"AltFile": {AltFile: otherPath},
		"AltData": {AltData: other, AltFile: "other.dwz"},
	} {
		_, _, err := EncodeFile(moved, opts)
		if !errors.Is(err, ErrAltMismatch) || !strings.Contains(err.Error(), fmt.Sprintf("%x", link.ID)) ||
			!strings.Contains(err.Error(), fmt.Sprintf("%x", otherID)) || !strings.Contains(err.Error(), "other.dwz") {
			t.Errorf("%s: got %v, want ErrAltMismatch naming the file and both build-ids", name, err)
		}
	}
	// Found at the link's path, but another file.
	copyFile(t, otherPath, filepath.Join(filepath.Dir(moved), "common.dwz"))
	if _, _, err := EncodeFile(moved, nil); !errors.Is(err, ErrAltMismatch) {
		t.Errorf("wrong file at the link's path: got %v, want ErrAltMismatch", err)
	}
}

// TestAltLookupTree checks the lookup in a tree laid out as a debuginfo
// package is: an absolute link, and the build-id path.
func TestAltLookupTree(t *testing.T) {
	for _, tc := range []struct {
		name string
		link string // the link dwz writes (-M)
		// at returns where the supplementary file is put, relative to
		// the root of the tree.
		at func(id []byte) string
	}{
		{"absolute", "/usr/lib/debug/.dwz/common", func([]byte) string { return "usr/lib/debug/.dwz/common" }},
		{"build-id", "gone/common", func(id []byte) string {
			return fmt.Sprintf("usr/lib/debug/.build-id/%02x/%x.debug", id[0], id[1:])
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			bin := filepath.Join(root, "usr/lib/debug/bin")
			if err := os.MkdirAll(bin, 0o755); err != nil {
				t.Fatal(err)
			}
			a, _ := buildDWZPrograms(t, "gcc", bin, "-g", "-gdwarf-4", "-O2")
			plain := encodeNoWarn(t, a, Options{})
			runDWZ(t, bin, "-m", "common.tmp", "-M", tc.link, "a", "b")
			f, err := os.Open(a)
			if err != nil {
				t.Fatal(err)
			}
			link, err := ReadAltLink(f)
			f.Close()
			if err != nil || link == nil || link.Path != tc.link {
				t.Fatalf("link %+v, %v; want %s", link, err, tc.link)
			}
			dst := filepath.Join(root, tc.at(link.ID))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(filepath.Join(bin, "common.tmp"), dst); err != nil {
				t.Fatal(err)
			}
			sameBTF(t, tc.name, encodeNoWarn(t, a, Options{}), plain)
		})
	}
}

func TestAltCandidates(t *testing.T) {
	id := []byte{0xab, 0xcd, 0xef, 0x01}
	for _, tc := range []struct {
		link, elf string
		id        []byte
		want      []string
	}{
		{"common.dwz", "/x/y/a", id, []string{"/x/y/common.dwz", "/usr/lib/debug/.build-id/ab/cdef01.debug"}},
		{"../.dwz/k", "/usr/lib/debug/boot/vmlinux", nil, []string{"/usr/lib/debug/.dwz/k"}},
		{"/usr/lib/debug/.dwz/k", "/tmp/r/usr/lib/debug/boot/vmlinux", id, []string{
			"/tmp/r/usr/lib/debug/.dwz/k", "/usr/lib/debug/.dwz/k",
			"/tmp/r/usr/lib/debug/.build-id/ab/cdef01.debug", "/usr/lib/debug/.build-id/ab/cdef01.debug"}},
		{"/usr/lib/debug/.dwz/k", "", id[:2], []string{"/usr/lib/debug/.dwz/k"}},
		{"common.dwz", "", nil, nil},
	} {
		got := altCandidates(&AltLink{Path: tc.link, ID: tc.id}, tc.elf)
		if !slices.Equal(got, tc.want) {
			t.Errorf("link %q of %q: got %q, want %q", tc.link, tc.elf, got, tc.want)
		}
	}
}

// TestAltLinkPrebuilt encodes the prebuilt debug files of testdata/dwzm
// (gcc, DWARF 4, objcopy --only-keep-debug, then dwz -m, GNU and DWARF 5
// forms), which need no tool: every type of a.c and the shared header.
func TestAltLinkPrebuilt(t *testing.T) {
	for _, dir := range []string{"testdata/dwzm/gnu", "testdata/dwzm/dwarf5"} {
		for _, prog := range []string{"a.debug", "b.debug"} {
			s := encodeNoWarn(t, filepath.Join(dir, prog), Options{})
			want := []string{"shared", "big2", "ops", "list"}
			if prog == "a.debug" {
				want = append(want, "only_a")
			} else {
				want = append(want, "only_b")
			}
			for _, name := range want {
				if _, err := s.TypeByName(name, btf.KindStruct); err != nil {
					t.Errorf("%s/%s: %v", dir, prog, err)
				}
			}
		}
	}
}

// TestAltLinkMalformed checks bad supplementary files and links: errors,
// never a panic.
func TestAltLinkMalformed(t *testing.T) {
	a := readTestdata(t, "dwzm/gnu/a.debug")
	alt := readTestdata(t, "dwzm/gnu/common.dwz")
	for name, opts := range map[string]*Options{
		"empty":     {AltData: []byte{}},
		"not ELF":   {AltData: []byte("not an ELF file at all")},
		"truncated": {AltData: alt[:len(alt)/2]},
		"directory": {AltFile: t.TempDir()},
		"missing":   {AltFile: filepath.Join(t.TempDir(), "nothing")},
	} {
		if _, _, err := EncodeBytes(a, opts); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestAltLinkModules links two real kernel modules into executables (dwz
// does not take relocatable files), moves their shared DWARF into a
// supplementary file with dwz -m, and encodes each as split BTF over the
// vmlinux BTF: the same types as without dwz.
func TestAltLinkModules(t *testing.T) {
	dir := benchData(t, "modules-"+kernelRelease)
	_, base := vmlinuxBase(t)
	ld := testutil.RequireTool(t, "ld")
	work := t.TempDir()
	mods := []string{"nf_conntrack", "tcp_bbr"}
	plain := map[string]*btf.Spec{}
	for _, m := range mods {
		out := filepath.Join(work, m)
		// -e 0: no entry point; the undefined symbols are the kernel's.
		if msg, err := exec.Command(ld, "-e", "0", "--unresolved-symbols=ignore-all", "-o", out, filepath.Join(dir, m+".ko")).CombinedOutput(); err != nil {
			t.Fatalf("ld: %v\n%s", err, msg)
		}
		plain[m] = encodeNoWarn(t, out, Options{Base: base})
	}
	runDWZ(t, work, append([]string{"-m", "common.dwz"}, mods...)...)
	for _, m := range mods {
		path := filepath.Join(work, m)
		if altImports(t, path) == 0 {
			t.Fatalf("%s imports no unit of the supplementary file", m)
		}
		got := encodeNoWarn(t, path, Options{Base: base})
		if got.FirstID() != base.NextID() {
			t.Errorf("%s: first id %d, want %d", m, got.FirstID(), base.NextID())
		}
		sameBTF(t, m, got, plain[m])
	}
}

// FuzzEncodeAlt feeds arbitrary ELF files and supplementary files to the
// encoder, seeded with the prebuilt files of testdata/dwzm (both link
// forms): any input gives a spec or an error, never a panic or a hang.
func FuzzEncodeAlt(f *testing.F) {
	for _, dir := range []string{"dwzm/gnu", "dwzm/dwarf5"} {
		alt := readTestdata(f, dir+"/common.dwz")
		for _, prog := range []string{"a.debug", "b.debug"} {
			f.Add(readTestdata(f, dir+"/"+prog), alt)
		}
	}
	f.Fuzz(func(t *testing.T, data, alt []byte) {
		s, _, err := EncodeBytes(data, &Options{Jobs: 1, AltData: alt})
		if err == nil && s == nil {
			t.Fatal("nil spec without an error")
		}
	})
}
