package fromdwarf

import (
	"debug/elf"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/testutil"
)

// TestDWZ compresses a two-unit program with dwz, which moves the types the
// units share into a partial unit they import, and checks that encoding
// the result follows the imports: the same BTF as without dwz.
func TestDWZ(t *testing.T) {
	dwz := testutil.RequireTool(t, "dwz")
	for _, cc := range []string{"gcc", "clang"} {
		t.Run(cc, func(t *testing.T) {
			path := testutil.RequireTool(t, cc)
			dir := t.TempDir()
			prog := filepath.Join(dir, "prog")
			// DWARF 4: dwz 0.15 does not know DWARF 5's .debug_addr.
			args := []string{"-g", "-gdwarf-4", "-O2", "-o", prog, "testdata/dwz/a.c", "testdata/dwz/b.c"}
			if out, err := exec.Command(path, args...).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", cc, err, out)
			}
			plain, _, err := EncodeFile(prog, nil)
			if err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(dwz, prog).CombinedOutput(); err != nil {
				t.Fatalf("dwz: %v\n%s", err, out)
			}
			d := mustLoadDWARF(t, prog)
			partial := 0
			for _, u := range d.units {
				dies, _, err := d.readUnit(&u, nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(dies) > 0 && dies[0].tag == tagPartialUnit {
					partial++
				}
			}
			if partial == 0 {
				t.Fatal("dwz made no partial unit; the test tests nothing")
			}
			var warns []error
			compressed, _, err := EncodeFile(prog, &Options{Warn: func(e error) { warns = append(warns, e) }})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range warns {
				t.Error("warning:", w)
			}
			for _, p := range compareSpecs(compressed, plain, 0) {
				t.Error(p)
			}
			if _, err := compressed.TypeByName("big2", btf.KindStruct); err != nil {
				t.Error(err)
			}
		})
	}
}

func mustLoadDWARF(tb testing.TB, path string) *dwarfData {
	tb.Helper()
	f, err := elf.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	d, err := loadDWARF(f, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}
