package reposync

import (
	"context"
	"errors"
	"fmt"

	"github.com/btfhub/btfhub/archive"
	"github.com/btfhub/btfhub/index"
	"github.com/btfhub/btfhub/internal/fetch"
	"github.com/btfhub/btfhub/pkgread"
	"github.com/btfhub/btfhub/repo"
)

// one fetches one package, streams it into the ingest path of archive
// add and records the outcome in the tree.
func (s *syncer) one(ctx context.Context, p *repo.Package) Result {
	r := Result{Package: *p, Outcome: Failed, Fetched: true}
	s.event(Event{Kind: Started, Package: p})
	k, err := s.read(ctx, p)
	switch {
	case ctx.Err() != nil:
		// Interrupted: nothing is recorded, the next sync fetches it.
		r.Err = fmt.Errorf("%s: %w", p.FileName(), ctx.Err())
		return r
	case errors.Is(err, archive.ErrHasBTF):
		r.Outcome, r.Reason = Skipped, "the kernel has BTF of its own"
		r.Err = s.record(p, index.HasBTF, "")
	case errors.Is(err, pkgread.ErrNoVmlinux):
		r.Outcome, r.Reason = Skipped, "holds no vmlinux"
		r.Err = s.record(p, index.NoVmlinux, "")
	case err != nil:
		r.Err = err
		if rerr := s.record(p, index.Failed, err.Error()); rerr != nil {
			r.Err = errors.Join(err, rerr)
		}
		return r
	default:
		var out archive.Outcome
		out, r.Entry, err = s.t.AddKernel(k, &archive.KernelOptions{Distro: p.Distro, Version: p.DistroVersion, Arch: p.KernelArch, Force: s.opt.Force})
		if err != nil {
			r.Err = fmt.Errorf("%s: %w", p.FileName(), err)
			if rerr := s.record(p, index.Failed, r.Err.Error()); rerr != nil {
				r.Err = errors.Join(r.Err, rerr)
			}
			return r
		}
		r.Outcome = map[archive.Outcome]Outcome{archive.Added: Added, archive.Replaced: Replaced, archive.Unchanged: Unchanged}[out]
	}
	if r.Err != nil {
		r.Outcome = Failed
	}
	return r
}

// read streams the package and returns its kernel, checked against the
// index: the package's own name, version and arch, and its size and
// SHA-256 (by the time ReadPackage returns, the stream has been read to
// its end and checked).
func (s *syncer) read(ctx context.Context, p *repo.Package) (*archive.Kernel, error) {
	body, err := s.client.Open(ctx, p.URL, &fetch.OpenOptions{
		Size:     p.Size,
		SHA256:   p.SHA256,
		Progress: func(n int64) { s.event(Event{Kind: Progress, Package: p, Bytes: n}) },
	})
	if err != nil {
		return nil, err
	}
	defer body.Close()
	k, err := archive.ReadPackage(body, p.FileName(), &archive.InputOptions{
		Limits:      s.opt.Limits,
		Encoder:     s.opt.Encoder,
		SkipWithBTF: s.opt.SkipWithBTF,
	})
	if err != nil {
		return nil, err
	}
	if k.Source != p.Source() {
		return nil, fmt.Errorf("%s: %w: the package is %s, the repository's index says %s", p.FileName(), repo.ErrMetadata, k.Source, p.Source())
	}
	if p.Release != "" && k.Release != p.Release {
		s.event(Event{Kind: Warning, Package: p, Message: fmt.Sprintf("%s: the vmlinux's release is %s, not %s as the package name says; using %s", p.FileName(), k.Release, p.Release, k.Release)})
	}
	k.SourceSHA256 = p.SHA256
	return k, nil
}

// record remembers a package that gave no kernel.
func (s *syncer) record(p *repo.Package, st index.Status, msg string) error {
	return s.t.PutRecord(index.Record{
		Distro: p.Distro, Version: p.DistroVersion, Arch: p.KernelArch,
		Source: p.Source(), SHA256: p.SHA256, Status: st, Error: msg,
	})
}
