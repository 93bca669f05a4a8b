package reposync

import (
	"context"
	"fmt"
	"os"
	"regexp"

	"github.com/btfhub/btfhub/archive"
	"github.com/btfhub/btfhub/index"
	"github.com/btfhub/btfhub/repo"
)

// Outcome tells what a sync did with one package.
type Outcome int

// The outcomes of one package.
const (
	// Added: the package's kernel is a new entry of the tree.
	Added Outcome = iota
	// Replaced: the kernel replaced an entry with different BTF (Force).
	Replaced
	// Unchanged: the package's kernel was in the tree already; when
	// Result.Fetched is false, the catalogue told so and nothing was
	// downloaded.
	Unchanged
	// Skipped: the package gives no kernel to the tree (Result.Reason
	// says why: it holds no vmlinux, or its kernel has BTF of its own).
	Skipped
	// Failed: see Result.Err.
	Failed
	// Planned: DryRun found that the package would be fetched.
	Planned
)

func (o Outcome) String() string {
	return [...]string{"added", "replaced", "unchanged", "skipped", "failed", "to fetch"}[o]
}

// Result is what a sync did with one package.
type Result struct {
	// Package is the package, as the repository describes it.
	Package repo.Package
	// Outcome is what was done.
	Outcome Outcome
	// Fetched tells that the package was downloaded in this run.
	Fetched bool
	// Reason says why a package was skipped, or that a failure was
	// recorded by an earlier run.
	Reason string
	// Entry is the kernel's catalogue entry, for Added, Replaced and
	// Unchanged after a download.
	Entry index.Entry
	// Err is the failure, for Failed.
	Err error
}

// Key returns the archive key the package's kernel goes under, with the
// release its name gives.
func key(p *repo.Package) index.Key {
	return index.Key{Distro: p.Distro, Version: p.DistroVersion, Arch: p.KernelArch, Release: p.Release}
}

// discover reads every repository's metadata, before any package is
// fetched: a repository whose metadata cannot be trusted stops the sync.
// A package listed by several repositories (a suite and its security
// updates) is kept once, as the first lists it. Of several packages of
// one kernel (Ubuntu's linux-image-R-dbgsym and
// linux-image-unsigned-R-dbgsym, of which only one holds the vmlinux),
// the largest is kept, in the place of the first.
func discover(ctx context.Context, g repo.Getter, opt *Options) ([]repo.Package, []repo.Skipped, error) {
	var pkgs []repo.Package
	var skipped []repo.Skipped
	seen := map[string]bool{}
	byKey := map[index.Key]int{}
	for _, r := range opt.Repositories {
		ix, err := r.Discover(ctx, g)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", r, err)
		}
		for _, w := range ix.Warnings {
			opt.warn(fmt.Sprintf("%s: %s", r, w))
		}
		skipped = append(skipped, ix.Skipped...)
		for _, p := range ix.Packages {
			id := p.Distro + "/" + p.DistroVersion + "/" + p.KernelArch + "/" + p.Source()
			if seen[id] {
				continue
			}
			seen[id] = true
			if opt.Distro != "" {
				p.Distro = opt.Distro
			}
			if opt.Version != "" {
				p.DistroVersion = opt.Version
			}
			if i, ok := byKey[key(&p)]; ok {
				smaller := p
				if p.Size > pkgs[i].Size {
					smaller, pkgs[i] = pkgs[i], p
				}
				skipped = append(skipped, repo.Skipped{Name: smaller.Source(), Reason: "the same kernel as the larger " + pkgs[i].Source()})
				continue
			}
			byKey[key(&p)] = len(pkgs)
			pkgs = append(pkgs, p)
		}
	}
	return pkgs, skipped, nil
}

// selectPackages keeps the packages that --match and --shard select, and
// checks that each one's key can name a file in the tree.
func selectPackages(pkgs []repo.Package, match *regexp.Regexp, shard, shards int) ([]repo.Package, error) {
	var out []repo.Package
	for _, p := range pkgs {
		if match != nil && !match.MatchString(p.Release) {
			continue
		}
		if !archive.InShard(p.FileName(), shard, shards) {
			continue
		}
		if err := key(&p).Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", p.URL, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// known tells what the catalogue says of a package, without fetching
// it: ok is false when the package must be fetched.
func known(t *archive.Tree, c *index.Catalogue, bySource map[string][]index.Entry, p *repo.Package, opt *Options) (Result, bool) {
	r := Result{Package: *p}
	for _, e := range bySource[p.Source()] {
		if e.SourceSHA256 != p.SHA256 || e.Distro != p.Distro || e.Version != p.DistroVersion || e.Arch != p.KernelArch {
			continue
		}
		path, err := t.EntryPath(e.Key())
		if err != nil {
			continue
		}
		if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == e.CompressedSize {
			r.Outcome, r.Entry = Unchanged, e
			return r, true
		}
	}
	rec, ok := c.FindRecord(p.Distro, p.DistroVersion, p.KernelArch, p.Source())
	if !ok || rec.SHA256 != p.SHA256 {
		return r, false
	}
	switch rec.Status {
	case index.NoVmlinux:
		r.Outcome, r.Reason = Skipped, "holds no vmlinux (recorded)"
		return r, true
	case index.HasBTF:
		if opt.SkipWithBTF {
			r.Outcome, r.Reason = Skipped, "the kernel has BTF of its own (recorded)"
			return r, true
		}
	case index.Failed:
		if !opt.RetryFailed {
			r.Outcome, r.Reason = Failed, "failed in an earlier sync; --retry-failed tries again"
			r.Err = fmt.Errorf("%s: %s (recorded; --retry-failed tries again)", p.FileName(), rec.Error)
			return r, true
		}
	}
	return r, false
}
