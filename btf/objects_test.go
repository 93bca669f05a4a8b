package btf

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

// TestLibbpfToolsObjects runs the real CO-RE objects embedded in Debian's
// libbpf-tools through everything this package does with BTF: the dump
// matches bpftool's, the .BTF section round-trips byte for byte in both
// byte orders, and ValidateObject accepts it (Validate, as the kernel,
// refuses its DATASECs of size 0 until libbpf has fixed them up).
func TestLibbpfToolsObjects(t *testing.T) {
	paths := testutil.LibbpfToolsObjectFiles(t)
	if len(paths) < 50 {
		t.Fatalf("only %d objects in libbpf-tools", len(paths))
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			spec, err := LoadSpec(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			compareWithBpftool(t, path, "", spec)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			raw, err := ReadELFSection(f, ".BTF")
			if err != nil {
				t.Fatal(err)
			}
			checkMarshalRoundTrip(t, spec, raw)
			var other binary.ByteOrder = binary.BigEndian
			if spec.ByteOrder() == binary.BigEndian {
				other = binary.LittleEndian
			}
			swapped, err := Decode(spec.Marshal(other), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(swapped.Marshal(spec.ByteOrder()), raw) {
				t.Error("byte-swapped and back is not identical")
			}
			if err := spec.ValidateObject(); err != nil {
				t.Errorf("ValidateObject: %v", err)
			}
		})
	}
}
