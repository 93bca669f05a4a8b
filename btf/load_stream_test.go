package btf

import (
	"bytes"
	"io"
	"testing"
)

// zeros streams n zero bytes and counts what was read.
type zeros struct{ n, read int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n == 0 {
		return 0, io.EOF
	}
	m := min(int64(len(p)), z.n)
	clear(p[:m])
	z.n -= m
	z.read += m
	return int(m), nil
}

func TestReadRaw(t *testing.T) {
	good := []byte{0x9f, 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}
	huge := append([]byte(nil), good[:24]...)
	huge[20], huge[21], huge[22], huge[23] = 0xff, 0xff, 0xff, 0x7f
	for _, c := range []struct {
		name string
		in   []byte
		want string
	}{
		{"good", good, ""},
		{"not BTF", []byte("\x00\x00\x00\x00"), "btf: offset 0x0: bad magic 0x0000"},
		{"short", good[:10], "btf: offset 0x0: truncated header: 10 bytes, need 24"},
		{"too large", huge, "btf: offset 0x4: header declares 2147483671 bytes of BTF, more than the limit of 1048576"},
		{"truncated", good[:24], "btf: offset 0x18: the header declares 25 bytes, the data ends at 24"},
		{"trailing", append(append([]byte(nil), good...), 7), "btf: offset 0x19: trailing data after the 25 bytes the header declares"},
	} {
		got, err := ReadRaw(bytes.NewReader(c.in), 1<<20)
		if c.want == "" {
			if err != nil || !bytes.Equal(got, c.in) {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	z := &zeros{n: 2 << 30}
	if _, err := ReadRaw(z, 1<<30); err == nil || z.read != HeaderLen {
		t.Fatalf("2 GiB of zeros: read %d bytes, err %v", z.read, err)
	}
}
