package fromdwarf

import (
	"bytes"
	"debug/elf"
	"testing"
)

// FuzzEncode feeds arbitrary ELF files to the DWARF path: any input gives
// a spec or an error, never a panic or a hang.
func FuzzEncode(f *testing.F) {
	for _, name := range []string{"kinds-gcc-dwarf4.o", "tags-clang-dwarf5.o"} {
		f.Add(readTestdata(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, _, err := EncodeBytes(data, &Options{Jobs: 1})
		if err == nil && s == nil {
			t.Fatal("nil spec without an error")
		}
	})
}

// FuzzUnreadRanges checks, on arbitrary ELF files, what reading a vmlinux
// out of a package relies on: zeroing the ranges unreadRanges returns
// changes nothing that encoding gives, whether a spec or an error.
func FuzzUnreadRanges(f *testing.F) {
	for _, name := range []string{"kinds-gcc-dwarf4.o", "tags-clang-dwarf5.o"} {
		f.Add(readTestdata(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ef, err := elf.NewFile(bytes.NewReader(data))
		if err != nil {
			return
		}
		ranges := unreadRanges(ef, data)
		zeroed := bytes.Clone(data)
		for i, r := range ranges {
			if r[0] >= r[1] || i > 0 && r[0] <= ranges[i-1][1] {
				t.Fatalf("ranges not sorted and disjoint: %v", ranges)
			}
			if r[0] < uint64(len(zeroed)) {
				clear(zeroed[r[0]:min(r[1], uint64(len(zeroed)))])
			}
		}
		want, _, wantErr := EncodeBytes(data, &Options{Jobs: 1})
		got, _, gotErr := EncodeBytes(zeroed, &Options{Jobs: 1})
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("error %v with the unread ranges zeroed, %v without", gotErr, wantErr)
		}
		if wantErr == nil && !bytes.Equal(got.Marshal(nil), want.Marshal(nil)) {
			t.Fatal("the unread ranges zeroed change the BTF")
		}
	})
}
