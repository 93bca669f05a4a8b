package archive

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/index"
	"github.com/btfhub/btfhub/internal/capped"
	"github.com/btfhub/btfhub/internal/safefs"
)

// Tree is a btfhub-archive tree on disk.
type Tree struct {
	// Dir is the tree's root.
	Dir string
	// MaxBTF bounds the raw BTF read from one tarball; 0 means
	// DefaultMaxBTF.
	MaxBTF int64
}

// OpenTree returns the tree at dir, which must be a directory.
func OpenTree(dir string) (*Tree, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s: not a directory", dir)
	}
	return &Tree{Dir: dir}, nil
}

// CataloguePath is the path of the tree's catalogue.
func (t *Tree) CataloguePath() string { return filepath.Join(t.Dir, index.FileName) }

// Catalogue reads the tree's catalogue; a tree without one has an empty
// catalogue. The catalogue must be a regular file, not a link.
func (t *Tree) Catalogue() (*index.Catalogue, error) {
	r, err := safefs.OpenRoot(t.Dir)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	f, _, err := r.Open(index.FileName, index.MaxCatalogue)
	if errors.Is(err, fs.ErrNotExist) {
		return &index.Catalogue{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", index.ErrCatalogue, err)
	}
	defer f.Close()
	c, err := index.Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.CataloguePath(), err)
	}
	return c, nil
}

// root opens the tree's root, beneath which no link is followed.
func (t *Tree) root() (*safefs.Root, error) { return safefs.OpenRoot(t.Dir) }

// EntryPath returns the file of key k in the tree, after checking that k
// cannot name a file outside it.
func (t *Tree) EntryPath(k index.Key) (string, error) { return t.path(k) }

// path returns the file of key k, after checking that k cannot name a
// file outside the tree.
func (t *Tree) path(k index.Key) (string, error) {
	if err := k.Validate(); err != nil {
		return "", err
	}
	return filepath.Join(t.Dir, filepath.FromSlash(k.Path())), nil
}

// Entries lists the tree's kernels: the catalogue's entries, or, for a
// tree without a catalogue (such as a clone of btfhub-archive), the
// tarballs found in it, with only their keys and compressed sizes known.
func (t *Tree) Entries() ([]index.Entry, error) {
	c, err := t.Catalogue()
	if err != nil {
		return nil, err
	}
	if len(c.Entries) > 0 {
		return c.Entries, nil
	}
	return t.scan()
}

// scan walks the tree for <distro>/<version>/<arch>/<release>.btf.tar.xz.
func (t *Tree) scan() ([]index.Entry, error) {
	matches, err := filepath.Glob(filepath.Join(t.Dir, "*", "*", "*", "*"+index.Suffix))
	if err != nil {
		return nil, err
	}
	r, err := t.root()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []index.Entry
	for _, m := range matches {
		rel, _ := filepath.Rel(t.Dir, m)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		k := index.Key{Distro: parts[0], Version: parts[1], Arch: parts[2], Release: strings.TrimSuffix(parts[3], index.Suffix)}
		if k.Validate() != nil {
			continue
		}
		fi, err := r.Stat(k.Path())
		if err != nil || !fi.Mode().IsRegular() {
			continue // a link, or through one: not the tree's
		}
		out = append(out, index.Entry{Distro: k.Distro, Version: k.Version, Arch: k.Arch, Release: k.Release, CompressedSize: fi.Size()})
	}
	return out, nil
}

// ReadBTF returns the raw BTF of entry k, checked against the catalogue
// when the catalogue has the entry.
func (t *Tree) ReadBTF(k index.Key) ([]byte, error) {
	c, err := t.Catalogue()
	if err != nil {
		return nil, err
	}
	e, inCatalogue := c.Find(k)
	raw, err := t.readTarball(k)
	if err != nil {
		return nil, err
	}
	if inCatalogue {
		if err := checkRaw(e, raw); err != nil {
			return nil, fmt.Errorf("%s: %w", k.Path(), err)
		}
	}
	return raw, nil
}

// readTarball reads the tarball of key k, checking its entry's name.
func (t *Tree) readTarball(k index.Key) ([]byte, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	r, err := t.root()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	f, _, err := r.Open(k.Path(), 0)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsafe, err)
	}
	defer f.Close()
	p := f.Name()
	name, raw, err := ReadTarball(f, t.MaxBTF)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if name != k.Release+".btf" {
		return nil, fmt.Errorf("%s: %w: holds %q, want %q", p, ErrCorrupt, name, k.Release+".btf")
	}
	return raw, nil
}

// checkRaw compares raw BTF with its catalogue entry.
func checkRaw(e index.Entry, raw []byte) error {
	if int64(len(raw)) != e.RawSize {
		return fmt.Errorf("%w: %d bytes of BTF, the catalogue says %d", ErrCorrupt, len(raw), e.RawSize)
	}
	if h := index.Hash(raw); h != e.XXH64 {
		return fmt.Errorf("%w: BTF xxh64 %s, the catalogue says %s", ErrCorrupt, h, e.XXH64)
	}
	return nil
}

// Problem is one mismatch that Verify found.
type Problem struct {
	// Path is the file, relative to the tree (or the pack entry's key).
	Path string
	// Err says what is wrong.
	Err error
}

func (p Problem) String() string { return p.Path + ": " + p.Err.Error() }

// Verify checks every file against the catalogue: that each entry's
// tarball exists, is well formed and safe, holds BTF that decodes, with
// the catalogue's checksum, sizes and type count; and that no tarball in
// the tree is missing from the catalogue. It returns every problem found;
// err is for failures to run the check at all.
func (t *Tree) Verify() ([]Problem, error) {
	c, err := t.Catalogue()
	if err != nil {
		return nil, err
	}
	problems := newProblemList()
	for _, e := range c.Entries {
		k := e.Key()
		if err := t.verifyEntry(e); err != nil {
			problems.Add(Problem{k.Path(), err})
		}
	}
	found, err := t.scan()
	if err != nil {
		return nil, err
	}
	for _, e := range found {
		if _, ok := c.Find(e.Key()); !ok {
			problems.Add(Problem{e.Key().Path(), errors.New("not in the catalogue")})
		}
	}
	return problems.result(), nil
}

// MaxProblems bounds the problems that Verify and the errors that Merge
// list one by one; the rest are counted in a last line, "and N more".
const MaxProblems = 100

// problemList is Verify's list of problems.
type problemList struct{ capped.List[Problem] }

// newProblemList returns an empty list of Verify's problems.
func newProblemList() *problemList { return &problemList{capped.List[Problem]{Max: MaxProblems}} }

// result is the list, ended by a Problem counting those left out.
func (l *problemList) result() []Problem {
	if l.More > 0 {
		return append(l.Items, Problem{"...", fmt.Errorf("and %d more problems", l.More)})
	}
	return l.Items
}

func (t *Tree) verifyEntry(e index.Entry) error {
	r, err := t.root()
	if err != nil {
		return err
	}
	fi, err := r.Stat(e.Key().Path())
	r.Close()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnsafe, err)
	}
	if fi.Size() != e.CompressedSize {
		return fmt.Errorf("%w: file of %d bytes, the catalogue says %d", ErrCorrupt, fi.Size(), e.CompressedSize)
	}
	raw, err := t.readTarball(e.Key())
	if err != nil {
		return err
	}
	return checkEntryBTF(e, raw)
}

// checkEntryBTF checks raw BTF against every field of its entry.
func checkEntryBTF(e index.Entry, raw []byte) error {
	if err := checkRaw(e, raw); err != nil {
		return err
	}
	s, err := btf.Decode(raw, nil)
	if err != nil {
		return fmt.Errorf("%w: BTF does not decode: %w", ErrCorrupt, err)
	}
	if s.NumTypes() != e.Types {
		return fmt.Errorf("%w: %d types, the catalogue says %d", ErrCorrupt, s.NumTypes(), e.Types)
	}
	return nil
}

// removeStaleTemps deletes the temporary files that a killed writer left
// (atomicfile names them .<name>.tmp-*). It runs under the lock, when no
// other writer can be writing one.
func (t *Tree) removeStaleTemps() error {
	return filepath.WalkDir(t.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && p != t.Dir && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir // such as .git
		}
		if !d.IsDir() && strings.HasPrefix(d.Name(), ".") && strings.Contains(d.Name(), ".tmp-") {
			os.Remove(p)
		}
		return nil
	})
}

// writeCatalogue writes c atomically.
func (t *Tree) writeCatalogue(c *index.Catalogue) error {
	data, err := c.Marshal()
	if err != nil {
		return err
	}
	r, err := t.root()
	if err != nil {
		return err
	}
	defer r.Close()
	return r.WriteFile(index.FileName, data, 0o644)
}

// sameFile reports whether the file rel beneath r has exactly the content
// data.
func sameFile(r *safefs.Root, rel string, data []byte) bool {
	got, err := r.ReadFile(rel, int64(len(data)))
	return err == nil && bytes.Equal(got, data)
}

// readFile reads the stored file of key k as it is, beneath the tree's
// root without following links.
func (t *Tree) readFile(k index.Key) ([]byte, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	r, err := t.root()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.ReadFile(k.Path(), 0)
}
