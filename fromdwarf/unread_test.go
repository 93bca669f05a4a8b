package fromdwarf

import (
	"debug/elf"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestSubtractRanges(t *testing.T) {
	type rs = [][2]uint64
	for _, c := range []struct {
		name string
		a, b rs
		want rs
	}{
		{"nothing kept", rs{{10, 20}, {0, 5}}, nil, rs{{0, 5}, {10, 20}}},
		{"disjoint", rs{{10, 20}}, rs{{0, 10}, {20, 30}}, rs{{10, 20}}},
		{"hole", rs{{0, 100}}, rs{{40, 50}}, rs{{0, 40}, {50, 100}}},
		{"covered", rs{{10, 20}}, rs{{5, 25}}, nil},
		{"overlapping both", rs{{0, 30}, {20, 50}}, rs{{10, 15}, {45, 60}}, rs{{0, 10}, {15, 45}}},
		{"one keep over two", rs{{0, 10}, {20, 30}}, rs{{5, 25}}, rs{{0, 5}, {25, 30}}},
		{"touching merged", rs{{0, 10}, {10, 20}}, rs{{20, 30}}, rs{{0, 20}}},
		{"empty", nil, rs{{0, 4096}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := subtractRanges(c.a, c.b); !reflect.DeepEqual(got, c.want) {
				t.Errorf("subtractRanges(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
			}
		})
	}
}

// TestUnreadRanges checks, on the objects of testdata and the real
// modules, that no range that encoding reads is given back: encoding the
// file with every unread range zeroed gives the same BTF.
func TestUnreadRanges(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.o"))
	mods, _ := filepath.Glob(filepath.Join("..", "benchmarks", "data", "modules-*", "*.ko"))
	for _, p := range append(paths, mods...) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			f, err := elf.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			want, _, err := EncodeBytes(data, &Options{Jobs: 1})
			if errors.Is(err, ErrNoDWARF) {
				return // nothing is read
			}
			if err != nil {
				t.Fatal(err)
			}
			zeroed := append([]byte(nil), data...)
			n := uint64(0)
			for _, r := range unreadRanges(f, data) {
				clear(zeroed[r[0]:r[1]])
				n += r[1] - r[0]
			}
			got, _, err := EncodeBytes(zeroed, &Options{Jobs: 1})
			if err != nil {
				t.Fatalf("with %d unread bytes zeroed: %v", n, err)
			}
			if !reflect.DeepEqual(got.Marshal(nil), want.Marshal(nil)) {
				t.Errorf("with %d unread bytes zeroed, the BTF differs", n)
			}
			t.Logf("%d of %d bytes unread", n, len(data))
		})
	}
}
