package archive

import (
	"fmt"
	"os"

	"github.com/btfhub/btfhub/index"
)

// Store is an archive that kernels can be read from: a tree or a pack.
type Store interface {
	// Entries lists the kernels, sorted by key.
	Entries() ([]index.Entry, error)
	// ReadBTF returns one kernel's raw BTF, checked against its
	// checksum.
	ReadBTF(k index.Key) ([]byte, error)
	// Verify checks every kernel and returns each problem found.
	Verify() ([]Problem, error)
	// Close releases the store.
	Close() error
}

// Close does nothing: a tree holds no open files.
func (t *Tree) Close() error { return nil }

// Open opens the archive at path: a directory is a tree, a file a pack.
func Open(path string) (Store, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return OpenTree(path)
	}
	p, err := OpenPackFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}
