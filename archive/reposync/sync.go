package reposync

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"sync"

	"github.com/btfhub/btfhub/archive"
	"github.com/btfhub/btfhub/index"
	"github.com/btfhub/btfhub/internal/fetch"
	"github.com/btfhub/btfhub/pkgread"
	"github.com/btfhub/btfhub/repo"
)

// Options tune Sync.
type Options struct {
	// Repositories are read in order; a package that several list is
	// taken from the first.
	Repositories []Repository
	// Client fetches metadata and packages; nil means a fetch.Client
	// with its defaults.
	Client *fetch.Client
	// Jobs is the number of packages fetched and read at once; 0 means
	// 2. Each job holds one vmlinux in memory.
	Jobs int
	// Match, when set, keeps only the packages whose kernel release it
	// matches.
	Match *regexp.Regexp
	// Distro and Version, when set, replace the distro and version that
	// the repositories' metadata give.
	Distro, Version string
	// Shard, when Shards > 1, keeps only the packages whose file name
	// hashes to Shard modulo Shards (archive.InShard), as archive add
	// --shard does with the same files.
	Shard, Shards int
	// SkipWithBTF leaves out kernels whose vmlinux has a .BTF section,
	// and records their packages so that they are not fetched again.
	SkipWithBTF bool
	// RetryFailed fetches again the packages that an earlier sync
	// recorded as failed.
	RetryFailed bool
	// DryRun lists what would be fetched (Planned) and fetches nothing.
	DryRun bool
	// Force replaces entries that exist with different BTF.
	Force bool
	// Limits bounds what is read from packages.
	Limits pkgread.Limits
	// Encoder encodes BTF from DWARF for kernels without .BTF; without
	// one such a package fails with archive.ErrNoEncoder.
	Encoder archive.Encoder
	// Events, when set, is told of the sync's progress, from one
	// goroutine at a time.
	Events func(Event)
}

// EventKind is the kind of an Event.
type EventKind int

// The kinds of Event.
const (
	// Warning: Event.Message is a warning of a repository (such as that
	// its signature was not checked).
	Warning EventKind = iota
	// Selected: Event.Total packages were selected, Event.Message says
	// how many are to be fetched.
	Selected
	// Started: the download of Event.Package starts.
	Started
	// Progress: Event.Bytes more bytes of Event.Package arrived.
	Progress
	// Done: Event.Result is the package's result.
	Done
)

// Event is a step of a sync, for progress output.
type Event struct {
	Kind    EventKind
	Package *repo.Package
	Bytes   int64
	Total   int
	Message string
	Result  *Result
}

func (o *Options) emit(e Event) {
	if o.Events != nil {
		o.Events(e)
	}
}

func (o *Options) warn(msg string) { o.emit(Event{Kind: Warning, Message: msg}) }

// Summary is what a sync did.
type Summary struct {
	// Results has one result per selected package, in the order the
	// repositories list them.
	Results []Result
	// Skipped are the packages the repositories' readers passed over
	// (meta packages and the like).
	Skipped []repo.Skipped
}

// Count returns how many results have outcome o.
func (s *Summary) Count(o Outcome) int {
	n := 0
	for _, r := range s.Results {
		if r.Outcome == o {
			n++
		}
	}
	return n
}

// Sync brings the tree at dir up to date with the repositories: every
// selected package that the catalogue does not show as read is fetched
// and added, as archive add would add the same file. The error is
// non-nil when a repository's metadata could not be read or trusted
// (then nothing was fetched), when the context was cancelled, or when
// any package failed (after all the others were done).
func Sync(ctx context.Context, dir string, opt *Options) (*Summary, error) {
	if opt.Shards > 1 && (opt.Shard < 0 || opt.Shard >= opt.Shards) {
		return nil, fmt.Errorf("shard %d/%d out of range", opt.Shard, opt.Shards)
	}
	if len(opt.Repositories) == 0 {
		return nil, errors.New("no repositories to sync from")
	}
	client := opt.Client
	if client == nil {
		client = &fetch.Client{}
	}
	all, skipped, err := discover(ctx, client, opt)
	if err != nil {
		return nil, err
	}
	pkgs, err := selectPackages(all, opt.Match, opt.Shard, opt.Shards)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	t, err := archive.OpenTree(dir)
	if err != nil {
		return nil, err
	}
	c, err := t.Catalogue()
	if err != nil {
		return nil, err
	}
	bySource := map[string][]index.Entry{}
	for _, e := range c.Entries {
		bySource[e.Source] = append(bySource[e.Source], e)
	}
	sum := &Summary{Results: make([]Result, len(pkgs)), Skipped: skipped}
	var todo, done []int
	for i := range pkgs {
		if r, ok := known(t, c, bySource, &pkgs[i], opt); ok {
			sum.Results[i] = r
			done = append(done, i)
			continue
		}
		if opt.DryRun {
			sum.Results[i] = Result{Package: pkgs[i], Outcome: Planned}
			continue
		}
		todo = append(todo, i)
	}
	opt.emit(Event{Kind: Selected, Total: len(pkgs), Message: fmt.Sprintf("%d of %d packages to fetch", len(todo), len(pkgs))})
	for _, i := range done {
		if r := &sum.Results[i]; !opt.DryRun {
			opt.emit(Event{Kind: Done, Package: &r.Package, Result: r})
		}
	}
	if opt.DryRun || len(todo) == 0 {
		return sum, sum.err()
	}
	s := &syncer{t: t, opt: opt, client: client}
	s.run(ctx, pkgs, todo, sum.Results)
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	return sum, sum.err()
}

// err joins the failures.
func (s *Summary) err() error {
	var errs []error
	for _, r := range s.Results {
		if r.Outcome == Failed {
			errs = append(errs, r.Err)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d packages failed: %w", len(errs), len(s.Results), errors.Join(errs...))
}

// syncer fetches and adds packages.
type syncer struct {
	t      *archive.Tree
	opt    *Options
	client *fetch.Client
	mu     sync.Mutex // serialises Events
}

// run fetches the packages todo names with opt.Jobs workers, filling in
// their results. A cancelled context stops the workers; the packages
// under way then fail with the context's error and are not recorded.
func (s *syncer) run(ctx context.Context, pkgs []repo.Package, todo []int, results []Result) {
	jobs := s.opt.Jobs
	if jobs <= 0 {
		jobs = min(2, runtime.GOMAXPROCS(0))
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(jobs, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				r := s.one(ctx, &pkgs[i])
				results[i] = r
				s.event(Event{Kind: Done, Package: &pkgs[i], Result: &results[i]})
			}
		}()
	}
feed:
	for _, i := range todo {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	for _, i := range todo {
		if results[i].Package.URL == "" {
			results[i] = Result{Package: pkgs[i], Outcome: Failed, Err: fmt.Errorf("%s: not fetched: %w", pkgs[i].FileName(), ctx.Err())}
		}
	}
}

func (s *syncer) event(e Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opt.emit(e)
}
