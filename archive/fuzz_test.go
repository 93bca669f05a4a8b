package archive

import (
	"bytes"
	"testing"
)

// FuzzReadTarball: no tarball may panic, return a file that breaks the
// rules, or exceed the size limit.
func FuzzReadTarball(f *testing.F) {
	btfData := tinyBTF(1)
	f.Add(makeTarXZ(f, tarEntry{name: "r.btf", data: btfData}))
	f.Add(makeTarXZ(f, tarEntry{name: "../r.btf", data: btfData}))
	f.Add(makeTarXZ(f, tarEntry{name: "r.btf", typ: '2', linkname: "/etc/passwd"}))
	// The fuzzer runs the pure-Go decoder, not a process per input.
	f.Setenv("BTFHUB_XZ", "go")
	f.Fuzz(func(t *testing.T, data []byte) {
		name, raw, err := ReadTarball(bytes.NewReader(data), 1<<20)
		if err != nil {
			return
		}
		if len(raw) > 1<<20 || bytes.ContainsAny([]byte(name), "/\\") || name == ".." {
			t.Fatalf("accepted %q of %d bytes", name, len(raw))
		}
	})
}
