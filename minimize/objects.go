package minimize

import (
	"fmt"
	"path/filepath"

	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/safefs"
	"github.com/btfhub/btfhub/objects"
)

// Object is a BPF object to minimize for, with the name errors give it.
type Object struct {
	// Name is the file's path, followed by ":" and the object's name for
	// objects embedded in a larger file.
	Name string
	*corerel.Object
}

// OpenObjects reads the BPF objects of each file: a BPF ELF object, or any
// file that embeds BPF objects, such as a libbpf-tools executable (every
// object it embeds is taken). A file holding no BPF object, or a damaged
// one, is an error naming the file.
func OpenObjects(paths ...string) ([]Object, error) {
	var out []Object
	for _, p := range paths {
		data, err := safefs.ReadInput(p, objects.MaxFileSize)
		if err != nil {
			return nil, err
		}
		found, err := objects.Find(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: %w: not a BPF ELF object, and no BPF object is embedded in it", p, corerel.ErrBadObject)
		}
		for _, f := range found {
			name := p
			if len(found) > 1 || f.Offset != 0 || int64(len(f.Data)) != int64(len(data)) {
				name = p + ":" + filepath.Base(f.Name)
			}
			o, err := corerel.Open(f.Data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			out = append(out, Object{Name: name, Object: o})
		}
	}
	return out, nil
}

// MinimizeObjects returns target (a kernel's vmlinux BTF) cut down to what
// the CO-RE relocations of objs need; errors name the object.
func MinimizeObjects(target *corerel.Target, objs []Object) (*Result, error) {
	m := New(target)
	for _, o := range objs {
		if err := m.Add(o.Name, o.Object); err != nil {
			return nil, err
		}
	}
	return m.Result()
}
