package fetch

import (
	"fmt"
	"testing"
)

func TestParseContentRange(t *testing.T) {
	tests := []struct {
		in                    string
		first, last, complete int64
		ok                    bool
	}{
		{"bytes 0-0/1", 0, 0, 1, true},
		{"bytes 100-199/200", 100, 199, 200, true},
		{"bytes 007-9/10", 7, 9, 10, true},
		{"bytes 0-999999999999999998/999999999999999999", 0, 999999999999999998, 999999999999999999, true},
		{"", 0, 0, 0, false},
		{"bytes", 0, 0, 0, false},
		{"bytes ", 0, 0, 0, false},
		{"bytes */100", 0, 0, 0, false},
		{"bytes 0-9/*", 0, 0, 0, false},
		{"Bytes 0-9/10", 0, 0, 0, false},
		{"items 0-9/10", 0, 0, 0, false},
		{"bytes  0-9/10", 0, 0, 0, false},
		{"bytes 0-9/10 ", 0, 0, 0, false},
		{"bytes 0 -9/10", 0, 0, 0, false},
		{"bytes 0-9 /10", 0, 0, 0, false},
		{"bytes=0-9/10", 0, 0, 0, false},
		{"bytes -9/10", 0, 0, 0, false},
		{"bytes 0-/10", 0, 0, 0, false},
		{"bytes 0-9/", 0, 0, 0, false},
		{"bytes 0-9", 0, 0, 0, false},
		{"bytes +0-9/10", 0, 0, 0, false},
		{"bytes 0-+9/10", 0, 0, 0, false},
		{"bytes 0--9/10", 0, 0, 0, false},
		{"bytes 0-9/10/11", 0, 0, 0, false},
		{"bytes 0-9-10/11", 0, 0, 0, false},
		{"bytes 0x0-9/10", 0, 0, 0, false},
		{"bytes 5-4/10", 0, 0, 0, false},
		{"bytes 0-10/10", 0, 0, 0, false},
		{"bytes 0-9/0", 0, 0, 0, false},
		{"bytes 0-1/9999999999999999999", 0, 0, 0, false},
		{"bytes 0-9223372036854775806/9223372036854775807", 0, 0, 0, false},
		{"bytes ０-9/10", 0, 0, 0, false},
	}
	for _, tt := range tests {
		first, last, complete, err := parseContentRange(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("%q: error %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if first != tt.first || last != tt.last || complete != tt.complete {
			t.Errorf("%q: got %d-%d/%d, want %d-%d/%d", tt.in, first, last, complete, tt.first, tt.last, tt.complete)
		}
	}
}

func FuzzContentRange(f *testing.F) {
	for _, s := range []string{
		"bytes 0-0/1", "bytes 100-199/200", "bytes */100", "bytes 0-9/*",
		"bytes 5-4/10", "bytes 0-1/9999999999999999999", "bytes 007-9/10", "bytes -1-2/3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		first, last, complete, err := parseContentRange(s)
		if err != nil {
			if first != 0 || last != 0 || complete != 0 {
				t.Fatalf("%q: error %v with values %d-%d/%d", s, err, first, last, complete)
			}
			return
		}
		if first < 0 || first > last || last >= complete {
			t.Fatalf("%q: accepted inconsistent range %d-%d/%d", s, first, last, complete)
		}
		canon := fmt.Sprintf("bytes %d-%d/%d", first, last, complete)
		if len(canon) > len(s) {
			t.Fatalf("%q: canonical form %q is longer", s, canon)
		}
		f2, l2, c2, err := parseContentRange(canon)
		if err != nil || f2 != first || l2 != last || c2 != complete {
			t.Fatalf("%q: canonical form %q reads as %d-%d/%d, %v", s, canon, f2, l2, c2, err)
		}
	})
}
