package fromdwarf

import "testing"

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
