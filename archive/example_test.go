package archive_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/btfhub/btfhub/archive"
)

// Build a tree from a kernel's raw BTF (xz-compressed, named for its
// release), then find the kernel again and read its BTF back.
func Example() {
	dir, err := os.MkdirTemp("", "btfhub-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	input := filepath.Join(dir, "6.1.0-53-cloud-amd64.btf.xz")
	data, err := os.ReadFile("../testdata/kernels/6.1.0-53-cloud-amd64.btf.xz")
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(input, data, 0o644); err != nil {
		panic(err)
	}
	tree := filepath.Join(dir, "tree")
	results, err := archive.Add(tree, []string{input}, &archive.AddOptions{Distro: "debian", Version: "12", Arch: "amd64"})
	if err != nil {
		panic(err)
	}
	fmt.Println(results[0].Outcome)

	st, err := archive.Open(tree)
	if err != nil {
		panic(err)
	}
	defer st.Close()
	entries, err := st.Entries()
	if err != nil {
		panic(err)
	}
	e, err := archive.FindOne(entries, archive.Query{Arch: "x86_64", Release: "6.1.0-53-cloud-amd64"})
	if err != nil {
		panic(err)
	}
	raw, err := st.ReadBTF(e.Key())
	if err != nil {
		panic(err)
	}
	fmt.Println(e.Key().Path(), e.Types, "types,", len(raw), "bytes")
	// Output:
	// added
	// debian/12/x86_64/6.1.0-53-cloud-amd64.btf.tar.xz 95057 types, 4112879 bytes
}
