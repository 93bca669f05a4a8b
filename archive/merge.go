package archive

import (
	"fmt"
	"os"

	"github.com/btfhub/btfhub/index"
	"github.com/btfhub/btfhub/internal/capped"
)

// Unpack writes every kernel of st into the tree at dir, as tarballs with
// catalogue entries, creating the tree when needed. Every path comes from
// validated keys: nothing is written outside dir.
func Unpack(st Store, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	t := &Tree{Dir: dir}
	entries, err := st.Entries()
	if err != nil {
		return err
	}
	for _, e := range entries {
		raw, err := st.ReadBTF(e.Key())
		if err != nil {
			return err
		}
		tarball, err := TarballBytes(e.Release, raw)
		if err != nil {
			return err
		}
		e.CompressedSize = int64(len(tarball))
		if _, err := t.commit(e, tarball, false); err != nil {
			return err
		}
	}
	return nil
}

// Merge joins the trees srcs into the tree dst (creating it when needed),
// as the shards of a parallel build are joined: each source tarball is
// checked against its own catalogue, then copied as is with its entry.
// The same BTF under one key is skipped; different BTF is ErrConflict
// unless force. It returns how many entries were added or replaced.
func Merge(dst string, srcs []string, force bool) (int, error) {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return 0, err
	}
	t := &Tree{Dir: dst}
	n := 0
	errs := newErrorList()
	for _, src := range srcs {
		s, err := OpenTree(src)
		if err != nil {
			errs.Add(err)
			continue
		}
		c, err := s.Catalogue()
		if err != nil {
			errs.Add(err)
			continue
		}
		if len(c.Entries) == 0 {
			// An empty shard is fine; tarballs without a catalogue are not
			// checkable, so not merged.
			if found, _ := s.scan(); len(found) > 0 {
				errs.Add(fmt.Errorf("%s: %d tarballs but no catalogue entries to check them against", src, len(found)))
			}
			continue
		}
		for _, e := range c.Entries {
			if err := s.verifyEntry(e); err != nil {
				errs.Add(fmt.Errorf("%s: %s: %w", src, e.Key().Path(), err))
				continue
			}
			tarball, err := s.readFile(e.Key())
			if err != nil {
				errs.Add(err)
				continue
			}
			out, err := t.commit(e, tarball, force)
			if err != nil {
				errs.Add(fmt.Errorf("%s: %w", src, err))
				continue
			}
			if out == Added || out == Replaced {
				n++
			}
		}
		if err := t.mergeRecords(c.Packages); err != nil {
			errs.Add(fmt.Errorf("%s: %w", src, err))
		}
	}
	return n, capped.Join(errs, "errors")
}

// mergeRecords adds package records (index.Record) of another tree, but
// for the packages that gave an entry here.
func (t *Tree) mergeRecords(recs []index.Record) error {
	if len(recs) == 0 {
		return nil
	}
	return t.updateCatalogue(func(c *index.Catalogue) {
		sources := map[string]bool{}
		for _, e := range c.Entries {
			sources[e.Distro+"/"+e.Version+"/"+e.Arch+"/"+e.Source] = true
		}
		for _, r := range recs {
			if !sources[r.Distro+"/"+r.Version+"/"+r.Arch+"/"+r.Source] {
				c.PutRecord(r)
			}
		}
	})
}

// newErrorList returns an empty list of Merge's errors.
func newErrorList() *capped.List[error] { return capped.New[error](MaxProblems) }
