package fetch

import (
	"crypto/sha256"
	"testing"
)

func TestHasher(t *testing.T) {
	data := testData(5*hashChunk+12345, 12)
	tests := []struct {
		name    string
		step    int  // bytes per write
		inPlace bool // through space and commit
		sumAt   []int
	}{
		{name: "one write", step: len(data)},
		{name: "small writes", step: 1000, sumAt: []int{0, 1000, hashChunk, hashChunk + 1000}},
		{name: "chunk writes", step: hashChunk, sumAt: []int{hashChunk, 3 * hashChunk}},
		{name: "odd writes", step: 77777, sumAt: []int{77777 * 13}},
		{name: "in place", step: 65536, inPlace: true, sumAt: []int{65536, hashChunk, 2*hashChunk + 65536}},
		{name: "in place whole space", step: 1 << 30, inPlace: true, sumAt: []int{hashChunk}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHasher()
			defer hs.stop()
			sums := map[int]bool{}
			for _, at := range tt.sumAt {
				sums[at] = true
			}
			// Each turn adds bytes.
			for off := 0; off <= len(data); {
				if sums[off] {
					if got, want := hs.sum(), sha256.Sum256(data[:off]); got != want {
						t.Fatalf("sum at %d differs", off)
					}
				}
				if off == len(data) {
					break
				}
				n := min(tt.step, len(data)-off)
				if tt.inPlace {
					space := hs.space()
					n = copy(space[:min(n, len(space))], data[off:off+n])
					hs.commit(n)
				} else {
					hs.Write(data[off : off+n])
				}
				off += n
			}
			if got, want := hs.sum(), sha256.Sum256(data); got != want {
				t.Fatal("final sum differs")
			}
			hs.stop()
		})
	}
}
