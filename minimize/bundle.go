package minimize

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/btfhub/btfhub/archive"
	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/index"
)

// Encoder is the encoder name a Bundle's catalogue entries carry.
const Encoder = "btfhub-minimize"

// Bundle holds the minimized BTF of many kernels, in memory. It is an
// archive.Store: archive.WritePack writes it as one pack, in which the
// kernels share what they have in common, and archive.Unpack as a tree.
// Each kernel's BTF is byte for byte what minimizing that kernel alone
// gives.
type Bundle struct {
	entries []index.Entry
	raw     map[index.Key][]byte
}

// ArchiveOptions tune MinimizeArchive.
type ArchiveOptions struct {
	// Jobs is how many kernels are minimized at once; 0 means one per
	// CPU.
	Jobs int
	// Progress, when set, is called after each kernel, from one
	// goroutine at a time, with the number of kernels done, the total,
	// the kernel, and its error.
	Progress func(done, total int, e index.Entry, err error)
}

// MinimizeArchive minimizes every kernel of st for objs, in parallel. When
// a kernel fails, the others are still minimized, and the error joins one
// error per failed kernel, each naming it.
func MinimizeArchive(st archive.Store, objs []Object, opts *ArchiveOptions) (*Bundle, error) {
	var opt ArchiveOptions
	if opts != nil {
		opt = *opts
	}
	entries, err := st.Entries()
	if err != nil {
		return nil, err
	}
	jobs := opt.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	b := &Bundle{entries: make([]index.Entry, len(entries)), raw: make(map[index.Key][]byte, len(entries))}
	errs := make([]error, len(entries))
	var mu sync.Mutex
	done := 0
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(jobs, max(len(entries), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				e, raw, err := minimizeKernel(st, entries[i], objs)
				if err != nil {
					err = fmt.Errorf("%s: %w", entries[i].Key(), err)
				}
				mu.Lock()
				b.entries[i], errs[i] = e, err
				if err == nil {
					b.raw[e.Key()] = raw
				}
				done++
				if opt.Progress != nil {
					opt.Progress(done, len(entries), entries[i], err)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range entries {
		work <- i
	}
	close(work)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return b, nil
}

// minimizeKernel minimizes one kernel of st.
func minimizeKernel(st archive.Store, e index.Entry, objs []Object) (index.Entry, []byte, error) {
	full, err := st.ReadBTF(e.Key())
	if err != nil {
		return e, nil, err
	}
	spec, err := btf.Decode(full, nil)
	if err != nil {
		return e, nil, err
	}
	target, err := corerel.NewTarget(spec)
	if err != nil {
		return e, nil, err
	}
	res, err := MinimizeObjects(target, objs)
	if err != nil {
		return e, nil, err
	}
	raw := res.Marshal()
	out := index.Entry{Distro: e.Distro, Version: e.Version, Arch: e.Arch, Release: e.Release,
		XXH64: index.Hash(raw), RawSize: int64(len(raw)), Types: res.Spec.NumTypes(),
		Encoder: Encoder}
	return out, raw, nil
}

// NewBundle returns a bundle of minimized BTF already made, one raw BTF
// per entry's key; the entries' checksums, sizes and type counts are
// filled from the BTF.
func NewBundle(entries []index.Entry, raw [][]byte) (*Bundle, error) {
	if len(entries) != len(raw) {
		return nil, fmt.Errorf("minimize: %d entries for %d BTF files", len(entries), len(raw))
	}
	b := &Bundle{raw: make(map[index.Key][]byte, len(entries))}
	for i, e := range entries {
		if err := e.Key().Validate(); err != nil {
			return nil, err
		}
		if _, dup := b.raw[e.Key()]; dup {
			return nil, fmt.Errorf("minimize: %s given twice", e.Key())
		}
		s, err := btf.Decode(raw[i], nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Key(), err)
		}
		e.XXH64, e.RawSize, e.Types = index.Hash(raw[i]), int64(len(raw[i])), s.NumTypes()
		if e.Encoder == "" {
			e.Encoder = Encoder
		}
		b.entries = append(b.entries, e)
		b.raw[e.Key()] = raw[i]
	}
	sortEntries(b.entries)
	return b, nil
}

func sortEntries(es []index.Entry) {
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].Key().Less(es[j-1].Key()); j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

// Entries lists the bundle's kernels, sorted by key.
func (b *Bundle) Entries() ([]index.Entry, error) {
	return append([]index.Entry(nil), b.entries...), nil
}

// ReadBTF returns one kernel's minimized BTF.
func (b *Bundle) ReadBTF(k index.Key) ([]byte, error) {
	raw, ok := b.raw[k]
	if !ok {
		return nil, fmt.Errorf("minimize: bundle has no kernel %s", k)
	}
	return raw, nil
}

// Verify checks that every kernel's BTF decodes.
func (b *Bundle) Verify() ([]archive.Problem, error) {
	var ps []archive.Problem
	for _, e := range b.entries {
		if _, err := btf.Decode(b.raw[e.Key()], nil); err != nil {
			ps = append(ps, archive.Problem{Path: e.Key().Path(), Err: err})
		}
	}
	return ps, nil
}

// Close does nothing.
func (b *Bundle) Close() error { return nil }

// WritePack writes the bundle as an archive pack.
func (b *Bundle) WritePack(w io.Writer) error { return archive.WritePack(w, b) }

var _ archive.Store = (*Bundle)(nil)
