package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/diff"
	"github.com/btfhub/btfhub/fromdwarf"
	"github.com/btfhub/btfhub/internal/testutil"
)

// runEncode runs the encode command in-process (it works whether or not
// the root command lists it) and returns its standard error.
func runEncode(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newEncodeCommand()
	var stderr bytes.Buffer
	cmd.SetErr(&stderr)
	cmd.SetOut(&stderr)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return stderr.String(), err
}

func TestEncode(t *testing.T) {
	obj := filepath.Join(testutil.RepoRoot(), "fromdwarf", "testdata", "kinds-gcc-dwarf4.o")
	out := filepath.Join(t.TempDir(), "out.btf")
	stderr, err := runEncode(t, obj, "-o", out, "--stats", "--features", "float")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".debug_info", "types before dedup", "types after dedup", "BTF bytes, xz", "time: dedup"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("--stats output lacks %q:\n%s", want, stderr)
		}
	}
	s, err := btf.LoadSpec(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TypeByName("everything", btf.KindStruct); err != nil {
		t.Error(err)
	}
	for t2 := range s.Types() {
		if t2.Kind() == btf.KindFloat {
			t.Errorf("--features float: found FLOAT %q", t2.Name())
		}
	}
}

func TestEncodeUsage(t *testing.T) {
	obj := filepath.Join(testutil.RepoRoot(), "fromdwarf", "testdata", "kinds-gcc-dwarf4.o")
	for _, args := range [][]string{
		{obj},
		{obj, "-o", "x", "--features", "enum128"},
		{obj, "-o", "x", "--jobs", "-1"},
		{},
	} {
		_, err := runEncode(t, args...)
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Errorf("encode %q: got %v, want a usage error", args, err)
		}
	}
}

func TestEncodeBadInput(t *testing.T) {
	nodwarf := filepath.Join(testutil.RepoRoot(), "fromdwarf", "testdata", "nodwarf.o")
	out := filepath.Join(t.TempDir(), "out.btf")
	_, err := runEncode(t, nodwarf, "-o", out)
	if err == nil || !strings.Contains(err.Error(), "nodwarf.o") {
		t.Fatalf("got %v, want an error naming the file", err)
	}
	if _, err := btf.LoadSpec(out, nil); err == nil {
		t.Error("an output file was written")
	}
}

// sameTypes reports how got differs from want: kind counts, named types
// (diff.Compare), size.
func sameTypes(t *testing.T, name string, got, want *btf.Spec) {
	t.Helper()
	count := func(s *btf.Spec) map[btf.Kind]int {
		m := map[btf.Kind]int{}
		for typ := range s.Types() {
			m[typ.Kind()]++
		}
		return m
	}
	if g, w := count(got), count(want); !maps.Equal(g, w) {
		t.Errorf("%s: kinds %v, want %v", name, g, w)
	}
	r := diff.Compare(want, got)
	if len(r.Added)+len(r.Removed)+len(r.Changed) > 0 {
		var buf bytes.Buffer
		diff.WriteText(&buf, r, "want", "got")
		t.Errorf("%s: types differ:\n%s", name, buf.String())
	}
	if g, w := got.MarshalSize(), want.MarshalSize(); g != w {
		t.Errorf("%s: %d bytes, want %d", name, g, w)
	}
}

// dwzPackage builds a .deb laid out as a debuginfo package whose DWARF
// was compressed with dwz -m: a "vmlinux" (program a of
// fromdwarf/testdata/dwzm), a module "b.ko" (program b) and, unless
// withoutAlt, the supplementary file in usr/lib/debug/.dwz. dwzArgs
// choose the link dwz writes. It returns the package, the programs before
// dwz, and the tree the package was made of.
func dwzPackage(t *testing.T, withoutAlt bool, dwzArgs ...string) (deb, plainA, plainB, root string) {
	t.Helper()
	gcc := testutil.RequireTool(t, "gcc")
	dwz := testutil.RequireTool(t, "dwz")
	dpkg := testutil.RequireTool(t, "dpkg-deb")
	dir := t.TempDir()
	src := filepath.Join(testutil.RepoRoot(), "fromdwarf", "testdata", "dwzm")
	plainA, plainB = filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for out, srcs := range map[string][]string{plainA: {"a.c", "a2.c"}, plainB: {"b.c"}} {
		args := []string{"-g", "-gdwarf-4", "-O2", "-o", out}
		for _, s := range srcs {
			args = append(args, filepath.Join(src, s))
		}
		if msg, err := exec.Command(gcc, args...).CombinedOutput(); err != nil {
			t.Fatalf("gcc: %v\n%s", err, msg)
		}
	}
	root = filepath.Join(dir, "pkg")
	debug := filepath.Join(root, "usr/lib/debug")
	vmlinux, mod := "boot/vmlinux-1.0.0-test", "lib/modules/1.0.0-test/kernel/b.ko"
	for dst, from := range map[string]string{vmlinux: plainA, mod: plainB} {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(debug, dst)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(debug, ".dwz"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(dwz, append(dwzArgs, "-m", ".dwz/common", vmlinux, mod)...)
	cmd.Dir = debug
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dwz: %v\n%s", err, msg)
	}
	pkgRoot := root
	if withoutAlt {
		// Package a copy of the tree without the supplementary file.
		pkgRoot = filepath.Join(dir, "pkg-noalt")
		if out, err := exec.Command("cp", "-a", root, pkgRoot).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v\n%s", err, out)
		}
		if err := os.RemoveAll(filepath.Join(pkgRoot, "usr/lib/debug/.dwz")); err != nil {
			t.Fatal(err)
		}
	}
	control := filepath.Join(pkgRoot, "DEBIAN", "control")
	if err := os.MkdirAll(filepath.Dir(control), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(control, []byte("Package: kernel-test-debuginfo\nVersion: 1.0\nArchitecture: amd64\nMaintainer: btfhub <btfhub@example.org>\nDescription: test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deb = filepath.Join(dir, "test.deb")
	if out, err := exec.Command(dpkg, "-Zxz", "--root-owner-group", "--build", pkgRoot, deb).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb: %v\n%s", err, out)
	}
	return deb, plainA, plainB, root
}

// TestEncodePackageAlt encodes the vmlinux and a module of a package whose
// DWARF refers to a supplementary file (dwz -m) in the package: found by
// its relative path (dwz -r, as rpm's find-debuginfo writes it) or by its
// build-id in usr/lib/debug/.dwz; the BTF is that of the files before dwz.
func TestEncodePackageAlt(t *testing.T) {
	for name, args := range map[string][]string{
		"relative": {"-r"},
		"build-id": {"-M", "/nowhere/common"},
	} {
		t.Run(name, func(t *testing.T) {
			deb, plainA, plainB, root := dwzPackage(t, false, args...)
			dir := t.TempDir()
			vmlinux := filepath.Join(dir, "vmlinux.btf")
			if _, err := runEncode(t, deb, "-o", vmlinux); err != nil {
				t.Fatal(err)
			}
			got, err := btf.LoadSpec(vmlinux, nil)
			if err != nil {
				t.Fatal(err)
			}
			want, _, err := fromdwarf.EncodeFile(plainA, nil)
			if err != nil {
				t.Fatal(err)
			}
			sameTypes(t, "vmlinux", got, want)

			// The module over the package's own vmlinux (two passes), and
			// over --base: the same bytes as the module's file encoded
			// over that base.
			two, withBase := filepath.Join(dir, "b-two.btf"), filepath.Join(dir, "b-base.btf")
			if _, err := runEncode(t, deb, "--module", "b", "-o", two); err != nil {
				t.Fatal(err)
			}
			if _, err := runEncode(t, deb, "--module", "b", "--base", vmlinux, "-o", withBase); err != nil {
				t.Fatal(err)
			}
			file, _, err := fromdwarf.EncodeFile(filepath.Join(root, "usr/lib/debug/lib/modules/1.0.0-test/kernel/b.ko"), &fromdwarf.Options{Base: got, AltFile: filepath.Join(root, "usr/lib/debug/.dwz/common")})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{two, withBase} {
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(data, file.Marshal(nil)) {
					t.Errorf("%s differs from the module's file encoded over the vmlinux BTF", filepath.Base(p))
				}
			}
			plainMod, _, err := fromdwarf.EncodeFile(plainB, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := file.TypeByName("only_b", btf.KindStruct); err != nil {
				t.Error(err)
			}
			if _, err := plainMod.TypeByName("only_b", btf.KindStruct); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestEncodePackageAltMissing: a package without the supplementary file
// its DWARF refers to gives an error naming the link, unless --alt gives
// the file.
func TestEncodePackageAltMissing(t *testing.T) {
	deb, plainA, _, root := dwzPackage(t, true, "-M", "/nowhere/common")
	out := filepath.Join(t.TempDir(), "out.btf")
	_, err := runEncode(t, deb, "-o", out)
	if !errors.Is(err, fromdwarf.ErrNoAltFile) || !strings.Contains(err.Error(), "/nowhere/common") {
		t.Errorf("got %v, want ErrNoAltFile naming the link", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("an output file was written")
	}
	if _, err := runEncode(t, deb, "--alt", filepath.Join(root, "usr/lib/debug/.dwz/common"), "-o", out); err != nil {
		t.Fatal(err)
	}
	got, err := btf.LoadSpec(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := fromdwarf.EncodeFile(plainA, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameTypes(t, "--alt", got, want)
}

func TestEncodeModuleUsage(t *testing.T) {
	obj := filepath.Join(testutil.RepoRoot(), "fromdwarf", "testdata", "kinds-gcc-dwarf4.o")
	for _, args := range [][]string{
		{obj, "--module", "nf_conntrack", "-o", filepath.Join(t.TempDir(), "x")}, // not a package
		{obj, "--module", "net/nf_conntrack", "-o", "x"},
		{obj, "--module", "[", "-o", "x"},
		{obj, "--module", "nf_*", "-o", "-"},
	} {
		_, err := runEncode(t, args...)
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Errorf("encode %q: got %v, want a usage error", args, err)
		}
	}
}

func TestModuleName(t *testing.T) {
	for name, want := range map[string]string{
		"usr/lib/debug/lib/modules/6.1.0-53-cloud-amd64/kernel/net/netfilter/nf_conntrack.ko": "nf_conntrack",
		"usr/lib/debug/lib/modules/6.4.0-default/kernel/fs/ext4/ext4.ko.debug":                "ext4",
		"usr/lib/debug/boot/vmlinux-6.1.0-53-cloud-amd64":                                     "",
		"usr/lib/modules/6.1.0/kernel/x.ko.xz":                                                "",
	} {
		if got := moduleName(name); got != want {
			t.Errorf("moduleName(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestEncodePackageModule encodes nf_conntrack out of Debian's debug
// package (testdata/cache/debs, make testdata) over the kernel's BTF: the
// same bytes as encoding the module file (benchmarks/data, make
// bench-data), which comes from that package.
func TestEncodePackageModule(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a 280 MB package")
	}
	const release = "6.1.0-53-cloud-amd64"
	deb := realDebPackage(t, release)
	data := filepath.Join(testutil.RepoRoot(), "benchmarks", "data")
	base, mod := filepath.Join(data, release+".btf"), filepath.Join(data, "modules-"+release, "nf_conntrack.ko")
	for _, p := range []string{base, mod} {
		if _, err := os.Stat(p); err != nil {
			testutil.Missing(t, "%s is missing: run make bench-data", p)
		}
	}
	sameEncoding(t, "module", 10000, []string{deb, "--module", "nf-conntrack", "--base", base}, []string{mod, "--base", base})
	_, err := runEncode(t, deb, "--module", "no_such_module", "--base", base, "-o", filepath.Join(t.TempDir(), "none.btf"))
	if err == nil || !strings.Contains(err.Error(), "no_such_module") {
		t.Errorf("got %v, want an error naming the module", err)
	}
}

// TestEncodePackageVmlinux encodes the vmlinux of Debian's debug package
// (testdata/cache/debs) as read out of the package stream, held outside
// the heap with the sections encoding does not read given back: the same
// bytes as encoding the vmlinux file (benchmarks/data) from that package.
func TestEncodePackageVmlinux(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a 280 MB package")
	}
	const release = "6.1.0-53-cloud-amd64"
	deb := realDebPackage(t, release)
	vmlinux := filepath.Join(testutil.RepoRoot(), "benchmarks", "data", "vmlinux-"+release)
	if _, err := os.Stat(vmlinux); err != nil {
		testutil.Missing(t, "%s is missing: run make bench-data", vmlinux)
	}
	sameEncoding(t, "vmlinux", 1<<20, []string{deb}, []string{vmlinux})
}

// realDebPackage returns the path of Debian's debug package of release,
// which make testdata puts in testdata/cache/debs.
func realDebPackage(t *testing.T, release string) string {
	t.Helper()
	debs, _ := filepath.Glob(filepath.Join(testutil.RepoRoot(), "testdata", "cache", "debs", "linux-image-"+release+"-dbg_*.deb"))
	if len(debs) == 0 {
		testutil.Missing(t, "no linux-image-%s-dbg package in testdata/cache/debs: run make testdata", release)
	}
	return debs[0]
}

// sameEncoding runs btfhub encode with the arguments fromPkg (a package)
// and fromFile (the file it holds), and fails unless both write the same
// BTF, of at least min bytes.
func sameEncoding(t *testing.T, what string, min int, fromPkg, fromFile []string) {
	t.Helper()
	var out [2][]byte
	for i, args := range [][]string{fromPkg, fromFile} {
		p := filepath.Join(t.TempDir(), "out.btf")
		if _, err := runEncode(t, append(args, "-o", p, "-q")...); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	if !bytes.Equal(out[0], out[1]) || len(out[0]) < min {
		t.Errorf("%s from the package: %d bytes, from the file: %d bytes, not the same", what, len(out[0]), len(out[1]))
	}
}

// debFile is one file of a package made by writeDeb.
type debFile struct {
	name string
	data []byte
}

// writeDeb writes a .deb (uncompressed members) holding files in the given
// order, where dpkg-deb chooses its own.
func writeDeb(t *testing.T, path string, files []debFile) {
	t.Helper()
	tarOf := func(files []debFile) []byte {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, f := range files {
			if err := tw.WriteHeader(&tar.Header{Name: "./" + f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: tar.TypeReg}); err != nil {
				t.Fatal(err)
			}
			tw.Write(f.data)
		}
		tw.Close()
		return buf.Bytes()
	}
	var ar bytes.Buffer
	ar.WriteString("!<arch>\n")
	for _, m := range []debFile{
		{"debian-binary", []byte("2.0\n")},
		{"control.tar", tarOf([]debFile{{"control", []byte("Package: kernel-test-debuginfo\nVersion: 1.0\nArchitecture: amd64\n")}})},
		{"data.tar", tarOf(files)},
	} {
		fmt.Fprintf(&ar, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", m.name, 0, 0, 0, "100644", len(m.data))
		ar.Write(m.data)
		if len(m.data)%2 != 0 {
			ar.WriteByte('\n')
		}
	}
	if err := os.WriteFile(path, ar.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
