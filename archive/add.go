package archive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/index"
	"github.com/btfhub/btfhub/pkgread"
	"github.com/cespare/xxhash/v2"
)

// AddOptions tune Add.
type AddOptions struct {
	// Distro, Version and Arch place the kernels in the tree. Arch may be
	// a machine name (aarch64, amd64): it is normalised to x86_64 or
	// arm64.
	Distro, Version, Arch string
	// Release overrides the release of every input (for one input).
	Release string
	// Jobs is the number of inputs read in parallel; 0 means GOMAXPROCS.
	Jobs int
	// Shard, when Shards > 1, restricts Add to the inputs whose file name
	// hashes to Shard modulo Shards (see InShard).
	Shard, Shards int
	// Force replaces entries that exist with different BTF, instead of
	// failing with ErrConflict.
	Force bool
	// Limits bounds what is read from packages.
	Limits pkgread.Limits
	// Encoder encodes BTF from DWARF; without one, a vmlinux without .BTF
	// fails with ErrNoEncoder.
	Encoder Encoder
	// Progress, when set, is called after each input, from one
	// goroutine at a time.
	Progress func(done, total int, r InputResult)
	// Context, when set, stops Add: once it is done, the inputs not yet
	// started fail with its error instead of being read.
	Context context.Context
}

// Outcome tells what Add did with one input.
type Outcome int

// The outcomes of one input.
const (
	Added     Outcome = iota // a new entry
	Replaced                 // an entry with different BTF was replaced (Force)
	Unchanged                // the entry was there with the same BTF
	Failed                   // see InputResult.Err
)

func (o Outcome) String() string {
	return [...]string{"added", "replaced", "unchanged", "failed"}[o]
}

// InputResult is what happened to one input.
type InputResult struct {
	Input   string
	Outcome Outcome
	Entry   index.Entry
	Err     error
}

// InShard reports whether the input at path belongs to shard i of n: the
// xxhash64 of its base name, modulo n. The share depends only on the name,
// so every machine of a CI matrix agrees on it, whatever order or subset
// of inputs it is given.
func InShard(path string, i, n int) bool {
	if n <= 1 {
		return true
	}
	return xxhash.Sum64String(filepath.Base(path))%uint64(n) == uint64(i)
}

// Add reads every input and stores its BTF in the tree, creating the tree
// when needed. It returns one result per input of its shard, in input
// order; err is non-nil when any input failed.
func Add(dir string, inputs []string, opts *AddOptions) ([]InputResult, error) {
	var opt AddOptions
	if opts != nil {
		opt = *opts
	}
	arch := index.NormalizeArch(opt.Arch)
	probe := index.Key{Distro: opt.Distro, Version: opt.Version, Arch: arch, Release: "probe"}
	if err := probe.Validate(); err != nil {
		return nil, err
	}
	if opt.Shards > 1 && (opt.Shard < 0 || opt.Shard >= opt.Shards) {
		return nil, fmt.Errorf("shard %d/%d out of range", opt.Shard, opt.Shards)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	t := &Tree{Dir: dir}
	var mine []string
	for _, in := range inputs {
		if InShard(in, opt.Shard, opt.Shards) {
			mine = append(mine, in)
		}
	}
	// Clear what a killed run left, and check the catalogue is readable
	// before spending time on inputs.
	unlock, err := lock(dir)
	if err != nil {
		return nil, err
	}
	err = t.removeStaleTemps()
	if err == nil {
		_, err = t.Catalogue()
	}
	unlock()
	if err != nil {
		return nil, err
	}

	jobs := opt.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	results := make([]InputResult, len(mine))
	work := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for w := 0; w < min(jobs, len(mine)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if opt.Context != nil && opt.Context.Err() != nil {
					results[i] = InputResult{Input: mine[i], Outcome: Failed, Err: fmt.Errorf("%s: %w", mine[i], opt.Context.Err())}
					continue
				}
				r := t.addOne(mine[i], arch, opt)
				results[i] = r
				mu.Lock()
				done++
				if opt.Progress != nil {
					opt.Progress(done, len(mine), r)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range mine {
		work <- i
	}
	close(work)
	wg.Wait()
	var errs []error
	for _, r := range results {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	return results, errors.Join(errs...)
}

// addOne reads one input and commits it to the tree.
func (t *Tree) addOne(input, arch string, opt AddOptions) InputResult {
	res := InputResult{Input: input, Outcome: Failed}
	var skipped index.Entry
	k, err := ReadInput(input, &InputOptions{
		Release: opt.Release,
		Limits:  opt.Limits,
		Encoder: opt.Encoder,
		Skip: func(source string) bool {
			// Resuming: a package whose entry is in the catalogue, with its
			// file in place, is not read again.
			e, ok := t.entryFromSource(source, opt.Distro, opt.Version, arch)
			skipped = e
			return ok && !opt.Force
		},
	})
	if errors.Is(err, ErrSkipped) {
		res.Outcome, res.Entry = Unchanged, skipped
		return res
	}
	if err != nil {
		res.Err = err
		return res
	}
	res.Outcome, res.Entry, res.Err = t.AddKernel(k, &KernelOptions{Distro: opt.Distro, Version: opt.Version, Arch: arch, Force: opt.Force})
	if res.Err != nil {
		res.Err = fmt.Errorf("%s: %w", input, res.Err)
	}
	return res
}

// KernelOptions place a kernel in a tree.
type KernelOptions struct {
	// Distro, Version and Arch are the first parts of the kernel's key;
	// its release completes it. Arch is x86_64 or arm64.
	Distro, Version, Arch string
	// Force replaces an entry that exists with different BTF, instead of
	// failing with ErrConflict.
	Force bool
}

// AddKernel stores one kernel's BTF in the tree and records it in the
// catalogue, as Add does for each input. An entry made from a package
// replaces the package's record, if any (see PutRecord).
func (t *Tree) AddKernel(k *Kernel, opt *KernelOptions) (Outcome, index.Entry, error) {
	s, err := btf.Decode(k.Raw, nil)
	if err != nil {
		return Failed, index.Entry{}, fmt.Errorf("BTF: %w", err)
	}
	tarball, err := TarballBytes(k.Release, k.Raw)
	if err != nil {
		return Failed, index.Entry{}, err
	}
	e := index.Entry{
		Distro: opt.Distro, Version: opt.Version, Arch: opt.Arch, Release: k.Release,
		XXH64: index.Hash(k.Raw), RawSize: int64(len(k.Raw)), CompressedSize: int64(len(tarball)),
		Types: s.NumTypes(), Source: k.Source, Encoder: k.Encoder, EncoderVersion: k.EncoderVersion,
		SourceSHA256: k.SourceSHA256,
	}
	out, err := t.commit(e, tarball, opt.Force)
	return out, e, err
}

// PutRecord records, under the lock, a package that gave no kernel, so
// that archive sync does not download it again.
func (t *Tree) PutRecord(r index.Record) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return t.updateCatalogue(func(c *index.Catalogue) { c.PutRecord(r) })
}

// updateCatalogue changes the catalogue with edit, under the lock.
func (t *Tree) updateCatalogue(edit func(c *index.Catalogue)) error {
	unlock, err := lock(t.Dir)
	if err != nil {
		return err
	}
	defer unlock()
	c, err := t.Catalogue()
	if err != nil {
		return err
	}
	edit(c)
	return t.writeCatalogue(c)
}

// entryFromSource finds the catalogue entry made from source in one
// distro version and arch, when its file is in place.
func (t *Tree) entryFromSource(source, distro, version, arch string) (index.Entry, bool) {
	c, err := t.Catalogue()
	if err != nil {
		return index.Entry{}, false
	}
	for _, e := range c.Entries {
		if e.Source != source || e.Distro != distro || e.Version != version || e.Arch != arch {
			continue
		}
		r, err := t.root()
		if err != nil {
			return index.Entry{}, false
		}
		fi, err := r.Stat(e.Key().Path())
		r.Close()
		return e, err == nil && fi.Mode().IsRegular() && fi.Size() == e.CompressedSize
	}
	return index.Entry{}, false
}

// commit writes an entry's tarball and records it in the catalogue, under
// the lock. The tarball goes first: a writer killed in between leaves a
// complete file that the catalogue does not list yet, which the next run
// rewrites with the same bytes and records.
func (t *Tree) commit(e index.Entry, tarball []byte, force bool) (Outcome, error) {
	if err := e.Key().Validate(); err != nil {
		return Failed, err
	}
	rel := e.Key().Path()
	r, err := t.root()
	if err != nil {
		return Failed, err
	}
	defer r.Close()
	unlock, err := lock(t.Dir)
	if err != nil {
		return Failed, err
	}
	defer unlock()
	c, err := t.Catalogue()
	if err != nil {
		return Failed, err
	}
	outcome := Added
	_, recorded := c.FindRecord(e.Distro, e.Version, e.Arch, e.Source)
	if old, ok := c.Find(e.Key()); ok {
		switch {
		case old.XXH64 != e.XXH64 && !force:
			return Failed, fmt.Errorf("%s: %w (xxh64 %s, new %s; --force replaces it)", e.Key().Path(), ErrConflict, old.XXH64, e.XXH64)
		case old.XXH64 != e.XXH64:
			outcome = Replaced
		case sameFile(r, rel, tarball) && (e.SourceSHA256 == "" || old.SourceSHA256 == e.SourceSHA256) && !recorded:
			// The same content: nothing to do, whatever input it came from.
			return Unchanged, nil
		case sameFile(r, rel, tarball):
			// The same BTF: the entry takes the package that gave it now,
			// so that sync knows the package is in the tree.
			outcome = Unchanged
		}
	}
	if !sameFile(r, rel, tarball) {
		if err := r.MkdirAll(path.Dir(rel), 0o755); err != nil {
			return Failed, err
		}
		hook(hookBeforeTarball, rel)
		if err := r.WriteFile(rel, tarball, 0o644); err != nil {
			return Failed, err
		}
	}
	hook(hookBeforeCatalogue, rel)
	c.Put(e)
	if recorded {
		c.RemoveRecord(e.Distro, e.Version, e.Arch, e.Source)
	}
	if err := t.writeCatalogue(c); err != nil {
		return Failed, err
	}
	hook(hookAfterCatalogue, rel)
	return outcome, nil
}

// The points of commit where tests stop a writer (see testHook), all
// under the tree's lock.
const (
	// hookBeforeTarball: the tarball's directory exists, the tarball is
	// not written yet.
	hookBeforeTarball = "before-tarball"
	// hookBeforeCatalogue: the tarball is in place, the catalogue does not
	// list it yet.
	hookBeforeCatalogue = "before-catalogue"
	// hookAfterCatalogue: the catalogue lists the kernel; the lock is
	// still held.
	hookAfterCatalogue = "after-catalogue"
)

// testHook, when a test sets it (before any writer runs), is called at
// each hook point of commit with the tarball's path beneath the tree, so
// that the test can kill the process at a known point rather than at a
// time.
var testHook func(point, rel string)

func hook(point, rel string) {
	if testHook != nil {
		testHook(point, rel)
	}
}
