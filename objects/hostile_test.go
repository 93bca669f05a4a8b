package objects_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/btfhub/btfhub/internal/safefs"
	"github.com/btfhub/btfhub/objects"
)

// TestFindHostile checks Find on crafted input: a file of nothing but
// headers of BPF objects whose sections lie past its end gives an error of
// MaxErrors lines and a count, and more than MaxObjects whole objects give
// ErrTooMany.
func TestFindHostile(t *testing.T) {
	le64 := bpfObject(elf.ELFCLASS64, binary.LittleEndian, "code")
	hdr := append([]byte(nil), le64[:64]...)
	binary.LittleEndian.PutUint64(hdr[40:], 1<<40) // e_shoff
	fake := bytes.Repeat(hdr, 1<<16)               // 4 MiB of headers
	objs, err := objects.Find(fake)
	if len(objs) != 0 || err == nil {
		t.Fatalf("fake headers: %d objects, error %v", len(objs), err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != objects.MaxErrors+1 {
		t.Fatalf("fake headers: error of %d lines, want %d", len(lines), objects.MaxErrors+1)
	}
	wantFirst := "objects: BPF ELF header at offset 0x0: "
	wantLast := "and 65528 more BPF ELF headers of objects that are not whole"
	if !strings.HasPrefix(lines[0], wantFirst) || lines[len(lines)-1] != wantLast {
		t.Errorf("fake headers: error\n%s\nwant first line %q..., last %q", err, wantFirst, wantLast)
	}

	many := bytes.Repeat(le64, objects.MaxObjects)
	if objs, err := objects.Find(many); err != nil || len(objs) != objects.MaxObjects {
		t.Errorf("%d objects: found %d, error %v", objects.MaxObjects, len(objs), err)
	}
	many = append(many, le64...)
	if objs, err := objects.Find(many); !errors.Is(err, objects.ErrTooMany) || objs != nil {
		t.Errorf("%d objects: found %d, error %v, want ErrTooMany", objects.MaxObjects+1, len(objs), err)
	}
}

// TestFindFileNotRegular checks that FindFile refuses a FIFO, directly or
// through a link, without blocking, and follows a link to a regular file.
func TestFindFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("fifo", link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, link} {
		_, err := objects.FindFile(p)
		if want := p + ": not a regular file (a FIFO)"; err == nil || err.Error() != want || !errors.Is(err, safefs.ErrNotRegular) {
			t.Errorf("FindFile(%s) = %v, want %q", p, err, want)
		}
	}
	obj := filepath.Join(dir, "prog.bpf.o")
	if err := os.WriteFile(obj, bpfObject(elf.ELFCLASS64, binary.LittleEndian, "code"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("prog.bpf.o", filepath.Join(dir, "objlink")); err != nil {
		t.Fatal(err)
	}
	if objs, err := objects.FindFile(filepath.Join(dir, "objlink")); err != nil || len(objs) != 1 {
		t.Errorf("FindFile through a link: %d objects, error %v", len(objs), err)
	}
}
