package pkgread

import (
	"bytes"
	"errors"
	"testing"
)

func TestCheckELF(t *testing.T) {
	for _, c := range []struct {
		name, content, want string
	}{
		{"elf", "\x7fELF\x02\x01", ""},
		{"zeros", "\x00\x00\x00\x00\x00", `boot/vmlinux: not an ELF file: starts with "\x00\x00\x00\x00"`},
		{"short", "\x7fE", `boot/vmlinux: not an ELF file: starts with "\x7fE"`},
	} {
		e := &Entry{Name: "boot/vmlinux", Size: int64(len(c.content)), Mode: 0o644, r: bytes.NewReader([]byte(c.content))}
		err := e.CheckELF(Limits{})
		if c.want != "" {
			if err == nil || err.Error() != c.want || !errors.Is(err, ErrNotELF) {
				t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, err := e.ReadAll(Limits{})
		if err != nil || string(got) != c.content {
			t.Fatalf("%s: read back %q, %v", c.name, got, err)
		}
	}
}
