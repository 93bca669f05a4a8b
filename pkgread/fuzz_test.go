package pkgread

import (
	"bytes"
	"io"
	"testing"
)

// FuzzOpen walks arbitrary packages: no input may panic or make the
// reader buffer more than the limit.
func FuzzOpen(f *testing.F) {
	files := []file{{name: "usr/lib/debug/boot/vmlinux-6.1.0", data: fakeELF}, {name: "usr/a", data: []byte("a")}}
	f.Add(makeDeb(f, "p", files))
	f.Add(makeRPM(f, "gzip", []file{{name: "usr/lib/debug/lib/modules/5.14/vmlinux", data: fakeELF}}))
	f.Add(makeRPM(f, "", []file{{name: "usr/lib/debug/lib/modules/5.14/vmlinux", data: fakeELF}}))
	f.Add([]byte(arMagic))
	// The fuzzer runs the pure-Go decoders, not a process per input.
	f.Setenv(xzEnv, "go")
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Open(bytes.NewReader(data))
		if err != nil {
			return
		}
		defer p.Close()
		for i := 0; i < 1000; i++ {
			e, err := p.Next()
			if err != nil {
				return
			}
			if e.IsRegular() {
				// Entries are read both ways, ReadAll and ReadBuffer.
				var b []byte
				var err error
				if i%2 == 0 {
					b, err = e.ReadAll(Limits{MaxEntry: 1 << 20})
				} else if buf, berr := e.ReadBuffer(Limits{MaxEntry: 1 << 20}); berr == nil {
					b, err = bytes.Clone(buf.Bytes()), buf.Close()
				} else {
					err = berr
				}
				if err == nil && int64(len(b)) != e.Size {
					t.Fatalf("%s: read %d bytes, size %d", e.Name, len(b), e.Size)
				}
			} else {
				io.Copy(io.Discard, e.Reader())
			}
		}
	})
}
