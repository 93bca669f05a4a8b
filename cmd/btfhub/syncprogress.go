package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/btfhub/btfhub/archive/reposync"
	"github.com/btfhub/btfhub/repo"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"
)

// syncProgress shows a sync's progress: on a terminal, a bar per package
// being downloaded, with bytes and throughput, under an overall count;
// otherwise a plain line per step.
type syncProgress struct {
	w     io.Writer
	quiet bool
	start time.Time

	mu      sync.Mutex
	bars    *mpb.Progress // nil when w is not a terminal
	overall *mpb.Bar      // packages done of those to fetch
	active  map[*repo.Package]*mpb.Bar
	started map[*repo.Package]time.Time
}

func newSyncProgress(w io.Writer, quiet bool) *syncProgress {
	p := &syncProgress{w: w, quiet: quiet, start: time.Now(), active: map[*repo.Package]*mpb.Bar{}, started: map[*repo.Package]time.Time{}}
	if f, ok := w.(*os.File); ok && !quiet && term.IsTerminal(int(f.Fd())) {
		p.bars = mpb.New(mpb.WithOutput(w), mpb.WithWidth(32), mpb.WithRefreshRate(200*time.Millisecond))
	}
	return p
}

// printf writes a line above the bars, or plainly.
func (p *syncProgress) printf(format string, args ...any) {
	if p.bars != nil {
		fmt.Fprintf(p.bars, format, args...)
		return
	}
	fmt.Fprintf(p.w, format, args...)
}

func (p *syncProgress) warn(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.printf("warning: %s\n", msg)
}

// retry reports a retried request, even with --quiet: it explains a slow
// run.
func (p *syncProgress) retry(url string, attempt int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.printf("retrying (attempt %d): %s\n", attempt+1, oneLine(err))
}

func (p *syncProgress) event(e reposync.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Kind {
	case reposync.Warning:
		p.printf("warning: %s\n", e.Message)
	case reposync.Selected:
		if !p.quiet {
			p.printf("%s\n", e.Message)
		}
		if p.bars != nil {
			p.overall = p.bars.AddBar(int64(e.Total), mpb.BarPriority(-1),
				mpb.PrependDecorators(decor.Name("packages", decor.WCSyncSpaceR), decor.CountersNoUnit("%d/%d")),
				mpb.AppendDecorators(decor.Elapsed(decor.ET_STYLE_GO)))
		}
	case reposync.Started:
		p.started[e.Package] = time.Now()
		if p.bars != nil {
			p.active[e.Package] = p.bars.AddBar(e.Package.Size, mpb.BarRemoveOnComplete(),
				mpb.PrependDecorators(decor.Name(e.Package.FileName(), decor.WCSyncSpaceR)),
				mpb.AppendDecorators(decor.Counters(decor.SizeB1024(0), "% .1f / % .1f"), decor.Name(" "),
					decor.AverageSpeed(decor.SizeB1024(0), "% .1f")))
		} else if !p.quiet {
			p.printf("fetching %s (%s)\n", e.Package.FileName(), mebibytes(e.Package.Size))
		}
	case reposync.Progress:
		if b := p.active[e.Package]; b != nil {
			b.IncrInt64(e.Bytes)
		}
	case reposync.Done:
		p.done(e)
	}
}

func (p *syncProgress) done(e reposync.Event) {
	r := e.Result
	if b := p.active[e.Package]; b != nil {
		b.Abort(true)
		delete(p.active, e.Package)
	}
	if p.overall != nil {
		p.overall.Increment()
	}
	if p.quiet || !r.Fetched && r.Outcome != reposync.Failed {
		return
	}
	what := r.Outcome.String()
	switch {
	case r.Err != nil:
		what += ": " + oneLine(r.Err)
	case r.Reason != "":
		what += ": " + r.Reason
	}
	took := ""
	if t0, ok := p.started[e.Package]; ok {
		d := time.Since(t0)
		took = fmt.Sprintf(" (%s in %s, %.1f MiB/s)", mebibytes(e.Package.Size), d.Round(time.Millisecond), float64(e.Package.Size)/(1<<20)/max(d.Seconds(), 1e-3))
		delete(p.started, e.Package)
	}
	p.printf("%s %s%s\n", e.Package.FileName(), what, took)
}

func (p *syncProgress) close() {
	if p.bars != nil {
		p.bars.Shutdown()
	}
}

// summary prints what the sync did: counts, then the skipped and failed
// packages with their reasons, or with --dry-run what would be fetched.
func (p *syncProgress) summary(w io.Writer, s *reposync.Summary, dryRun bool) {
	p.close()
	p.bars = nil
	if dryRun {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PACKAGE\tKERNEL\tSIZE")
		var total int64
		n := 0
		for _, r := range s.Results {
			if r.Outcome == reposync.Planned {
				fmt.Fprintf(tw, "%s\t%s/%s/%s/%s\t%s\n", r.Package.FileName(), r.Package.Distro, r.Package.DistroVersion, r.Package.KernelArch, r.Package.Release, mebibytes(r.Package.Size))
				total += r.Package.Size
				n++
			}
		}
		tw.Flush()
		fmt.Fprintf(w, "%d packages to fetch, %s; %d unchanged, %d skipped, %d failed before\n", n, mebibytes(total),
			s.Count(reposync.Unchanged), s.Count(reposync.Skipped), s.Count(reposync.Failed))
		return
	}
	fmt.Fprintf(w, "%d added, %d replaced, %d unchanged, %d skipped, %d failed in %s\n",
		s.Count(reposync.Added), s.Count(reposync.Replaced), s.Count(reposync.Unchanged), s.Count(reposync.Skipped)+len(s.Skipped), s.Count(reposync.Failed),
		time.Since(p.start).Round(time.Millisecond))
	byReason := map[string][]string{}
	var reasons []string
	for _, k := range s.Skipped {
		if byReason[k.Reason] == nil {
			reasons = append(reasons, k.Reason)
		}
		byReason[k.Reason] = append(byReason[k.Reason], k.Name)
	}
	for _, r := range reasons {
		names := byReason[r]
		more := ""
		if len(names) > 4 {
			names, more = names[:4], fmt.Sprintf(" and %d more", len(byReason[r])-4)
		}
		fmt.Fprintf(w, "skipped %d: %s (%s%s)\n", len(byReason[r]), r, strings.Join(names, ", "), more)
	}
	for _, r := range s.Results {
		switch r.Outcome {
		case reposync.Skipped:
			fmt.Fprintf(w, "skipped %s: %s\n", r.Package.FileName(), r.Reason)
		case reposync.Failed:
			fmt.Fprintf(w, "failed %s: %s\n", r.Package.FileName(), oneLine(r.Err))
		}
	}
}

// mebibytes formats a size.
func mebibytes(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
