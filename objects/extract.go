package objects

import (
	"fmt"
	"path/filepath"

	"github.com/btfhub/btfhub/internal/atomicfile"
)

// Extract writes each object to a file named after it in dir, which must
// exist, and returns the paths written. Each file is written to a temporary
// name in dir and renamed into place, so that no reader ever sees half an
// object.
func Extract(objs []Object, dir string) ([]string, error) {
	paths := make([]string, 0, len(objs))
	for _, o := range objs {
		if o.Name == "" || o.Name != filepath.Base(o.Name) || o.Name == "." || o.Name == ".." {
			return paths, fmt.Errorf("objects: object at offset %#x: bad file name %q", o.Offset, o.Name)
		}
		p := filepath.Join(dir, o.Name)
		if err := atomicfile.WriteFile(p, o.Data, 0o644); err != nil {
			return paths, fmt.Errorf("objects: writing %s: %w", p, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}
