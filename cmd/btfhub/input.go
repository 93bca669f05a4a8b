package main

import (
	"fmt"
	"os"

	"github.com/btfhub/btfhub/btf"
)

// maxInput bounds what btfhub reads into memory from standard input or an
// xz stream.
const maxInput = 4 << 30

// loadSpec reads BTF from path ("-" for standard input), split over the
// BTF at basePath when that is not empty. Raw BTF, ELF files and
// xz-compressed raw BTF or ELF are accepted (btf.LoadSpec). Errors name
// the file.
func loadSpec(path, basePath string) (*btf.Spec, error) {
	var base *btf.Spec
	if basePath != "" {
		var err error
		if base, err = loadSpec(basePath, ""); err != nil {
			return nil, fmt.Errorf("base: %w", err)
		}
	}
	opts := &btf.LoadOptions{Base: base, MaxSize: maxInput}
	if path != "-" {
		return btf.LoadSpec(path, opts)
	}
	s, err := btf.LoadSpecFromStream(os.Stdin, opts)
	if err != nil {
		return nil, fmt.Errorf("standard input: %w", err)
	}
	return s, nil
}
