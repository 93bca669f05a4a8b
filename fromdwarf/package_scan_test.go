package fromdwarf

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/pkgread"
)

// pkgFile is one file of a package made by writeTestDeb.
type pkgFile struct {
	name string
	data []byte
}

// writeTestDeb writes a .deb (uncompressed members) holding files in the
// given order, where dpkg-deb chooses its own.
func writeTestDeb(t *testing.T, files []pkgFile) string {
	t.Helper()
	tarOf := func(files []pkgFile) []byte {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, f := range files {
			if err := tw.WriteHeader(&tar.Header{Name: "./" + f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: tar.TypeReg}); err != nil {
				t.Fatal(err)
			}
			if _, err := tw.Write(f.data); err != nil {
				t.Fatal(err)
			}
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	var ar bytes.Buffer
	ar.WriteString("!<arch>\n")
	for _, m := range []pkgFile{
		{"debian-binary", []byte("2.0\n")},
		{"control.tar", tarOf([]pkgFile{{"control", []byte("Package: kernel-test-debuginfo\nVersion: 1.0\nArchitecture: amd64\n")}})},
		{"data.tar", tarOf(files)},
	} {
		fmt.Fprintf(&ar, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", m.name, 0, 0, 0, "100644", len(m.data))
		ar.Write(m.data)
		if len(m.data)%2 != 0 {
			ar.WriteByte('\n')
		}
	}
	path := filepath.Join(t.TempDir(), "test.deb")
	if err := os.WriteFile(path, ar.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// dwzPackageFiles returns the prebuilt dwz -m files of testdata/dwzm/form
// laid out as in a debuginfo package: program a as a vmlinux, program b
// as a module, and their supplementary file (whose link, "common.dwz", is
// relative) at altPath.
func dwzPackageFiles(t *testing.T, form, altPath string) (vmlinux, mod, alt pkgFile) {
	t.Helper()
	read := func(name, file string) pkgFile {
		data, err := os.ReadFile(filepath.Join("testdata", "dwzm", form, file))
		if err != nil {
			t.Fatal(err)
		}
		return pkgFile{name, data}
	}
	return read("usr/lib/debug/boot/vmlinux-1.0.0-test", "a.debug"),
		read("usr/lib/debug/lib/modules/1.0.0-test/kernel/b.ko", "b.debug"),
		read(altPath, "common.dwz")
}

func isModule(name string) bool { return strings.HasSuffix(name, ".ko") }

// TestScanPackageOrder reads packages whose supplementary file comes
// before, after or between the files that refer to it, found by its
// build-id in a .dwz directory or at the link's (relative) path.
func TestScanPackageOrder(t *testing.T) {
	for _, form := range []string{"gnu", "dwarf5"} {
		for _, altPath := range []string{"usr/lib/debug/.dwz/common", "usr/lib/debug/boot/common.dwz"} {
			vmlinux, mod, alt := dwzPackageFiles(t, form, altPath)
			other := pkgFile{"usr/lib/debug/.dwz/other", []byte("not the one")}
			// Outside .dwz, only the link's path is a candidate: mod's
			// link names lib/modules/1.0.0-test/kernel/common.dwz.
			modAlt := alt.data
			if !inDWZDir(altPath) {
				modAlt = nil
			}
			for order, files := range map[string][]pkgFile{
				"alt first":   {other, alt, vmlinux, mod},
				"alt last":    {vmlinux, mod, other, alt},
				"alt between": {mod, alt, vmlinux},
			} {
				if !inDWZDir(altPath) && order != "alt last" {
					// Files outside .dwz are kept only once a link names
					// them.
					continue
				}
				t.Run(form+"/"+altPath+"/"+order, func(t *testing.T) {
					deb := writeTestDeb(t, files)
					err := ReadPackageVmlinux(deb, &PackageOptions{}, func(k *PackageELF) error {
						if k.Name != vmlinux.name || !bytes.Equal(k.AltData, alt.data) || k.AltName != alt.name {
							t.Errorf("vmlinux %s with supplementary file %q (%d bytes)", k.Name, k.AltName, len(k.AltData))
						}
						return nil
					})
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					err = ScanPackageFile(deb, &PackageOptions{}, isModule, func(e *PackageELF) error {
						if !bytes.Equal(e.AltData, modAlt) {
							t.Errorf("%s: supplementary file %q, want %d bytes", e.Name, e.AltName, len(modAlt))
						}
						got = append(got, e.Name)
						return nil
					})
					if err != nil {
						t.Fatal(err)
					}
					if len(got) != 1 || got[0] != mod.name {
						t.Errorf("modules %q", got)
					}
				})
			}
		}
	}
}

// TestScanPackageEncode encodes the vmlinux read out of a package, and
// with VmlinuxEncoder (as archive add does): the BTF is that of the file
// encoded with its supplementary file beside it.
func TestScanPackageEncode(t *testing.T) {
	want := encodeNoWarn(t, filepath.Join("testdata", "dwzm", "gnu", "a.debug"), Options{}).Marshal(nil)
	vmlinux, mod, alt := dwzPackageFiles(t, "gnu", "usr/lib/debug/.dwz/common")
	var got []byte
	err := ReadPackageVmlinux(writeTestDeb(t, []pkgFile{vmlinux, mod, alt}), &PackageOptions{}, func(k *PackageELF) error {
		s, _, err := EncodeBytes(k.Data, k.Options(Options{}))
		if err != nil {
			return err
		}
		got = s.Marshal(nil)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("BTF of the vmlinux read out of the package differs")
	}

	enc := VmlinuxEncoder{}
	alts := map[string][]byte{"usr/lib/debug/.dwz/other": []byte("not the one"), alt.name: alt.data}
	r := bytes.NewReader(vmlinux.data)
	if p := enc.FindAlt(r, vmlinux.name, alts); p != alt.name {
		t.Errorf("FindAlt = %q, want %q", p, alt.name)
	}
	if p := enc.FindAlt(r, vmlinux.name, map[string][]byte{"usr/lib/debug/.dwz/other": []byte("x")}); p != "" {
		t.Errorf("FindAlt without the file = %q", p)
	}
	raw, err := enc.EncodeVmlinuxAlt(pkgread.NewBuffer(vmlinux.data), vmlinux.name, alts)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, want) {
		t.Error("EncodeVmlinuxAlt: BTF differs")
	}
	if _, err := enc.EncodeVmlinuxAlt(pkgread.NewBuffer(vmlinux.data), vmlinux.name, nil); !errors.Is(err, ErrNoAltFile) {
		t.Errorf("EncodeVmlinuxAlt without the file: got %v, want ErrNoAltFile", err)
	}
}

// TestScanPackageMissing: a file whose supplementary file the package
// lacks, or that is not looked for (NoAlt), is passed without it; use's
// errors end the scan, errStopScan without an error.
func TestScanPackageMissing(t *testing.T) {
	vmlinux, mod, alt := dwzPackageFiles(t, "gnu", "usr/lib/debug/.dwz/common")
	noAlt := writeTestDeb(t, []pkgFile{vmlinux, mod})
	withAlt := writeTestDeb(t, []pkgFile{alt, vmlinux, mod})
	for _, c := range []struct {
		deb  string
		opt  PackageOptions
		name string
	}{
		{noAlt, PackageOptions{}, "package without the file"},
		{withAlt, PackageOptions{NoAlt: true}, "NoAlt"},
	} {
		var got []string
		err := ScanPackageFile(c.deb, &c.opt, func(name string) bool { return !inDWZDir(name) }, func(e *PackageELF) error {
			if e.AltData != nil {
				t.Errorf("%s: %s has a supplementary file", c.name, e.Name)
			}
			got = append(got, e.Name)
			return nil
		})
		if err != nil || len(got) != 2 {
			t.Errorf("%s: files %q, error %v", c.name, got, err)
		}
	}
	calls := 0
	err := ScanPackageFile(withAlt, &PackageOptions{}, func(string) bool { return true }, func(*PackageELF) error {
		calls++
		return errStopScan
	})
	if err != nil || calls != 1 {
		t.Errorf("errStopScan: %d calls, error %v", calls, err)
	}
	boom := errors.New("boom")
	if err := ScanPackageFile(withAlt, &PackageOptions{}, isModule, func(*PackageELF) error { return boom }); err != boom {
		t.Errorf("got %v, want use's error as it is", err)
	}
	noVmlinux := func(*PackageELF) error { t.Error("use called without a vmlinux"); return nil }
	if err := ReadPackageVmlinux(writeTestDeb(t, []pkgFile{mod}), &PackageOptions{}, noVmlinux); !errors.Is(err, pkgread.ErrNoVmlinux) {
		t.Errorf("package without a vmlinux: got %v", err)
	}
	if err := ScanPackageFile(withAlt, &PackageOptions{Limits: pkgread.Limits{MaxEntry: 100}}, isModule, func(*PackageELF) error { return nil }); !errors.Is(err, pkgread.ErrTooLarge) || !strings.Contains(err.Error(), withAlt) {
		t.Errorf("limits: got %v, want ErrTooLarge naming the package", err)
	}
}
