package reposync

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/btfhub/btfhub/archive"
	"github.com/btfhub/btfhub/index"
	"github.com/btfhub/btfhub/internal/pkgtest"
	"github.com/btfhub/btfhub/repo"
	"github.com/btfhub/btfhub/repo/apt"
)

// TestSyncEqualsAdd syncs a signed repository of two suites and two
// architectures, and checks that the tree is byte for byte the one
// archive add makes of the same package files, catalogue included
// (but for the records of the packages that gave no kernel, which only
// sync keeps); then that a second sync downloads no package.
func TestSyncEqualsAdd(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	sum, err := syncTree(t, dir, f.options(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := [...]int{sum.Count(Added), sum.Count(Skipped), sum.Count(Failed)}; got != [...]int{4, 1, 0} {
		t.Fatalf("added, skipped, failed = %v, want [4 1 0]; %+v", got, sum.Results)
	}
	if len(sum.Skipped) != 1 || sum.Skipped[0].Reason != "meta package" {
		t.Errorf("skipped by the reader: %+v, want the meta package", sum.Skipped)
	}
	// The package without a vmlinux is recorded; archive add records
	// nothing, so drop the record before comparing.
	c, err := index.ReadFile(filepath.Join(dir, index.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Packages) != 1 || c.Packages[0].Status != index.NoVmlinux {
		t.Fatalf("records %+v, want one no-vmlinux", c.Packages)
	}
	want := f.addTree(t)
	withoutRecords(t, dir)
	sameTree(t, dir, want)

	// Nothing changed: nothing is downloaded.
	before := f.srv.Hits(".deb")
	sum, err = syncTree(t, dir, f.options(t))
	if err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Hits(".deb") - before; n != 1 {
		// The package without vmlinux lost its record above, so it is the
		// one fetched again.
		t.Fatalf("second sync made %d package requests, want 1", n)
	}
	before = f.srv.Hits(".deb")
	if _, err := syncTree(t, dir, f.options(t)); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Hits(".deb") - before; n != 0 {
		t.Fatalf("third sync made %d package requests, want none", n)
	}
	if sum.Count(Unchanged) != 4 {
		t.Errorf("%d unchanged, want 4", sum.Count(Unchanged))
	}
}

// withoutRecords rewrites a tree's catalogue without package records.
func withoutRecords(t *testing.T, dir string) {
	p := filepath.Join(dir, index.FileName)
	c, err := index.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	c.Packages = nil
	data, _ := c.Marshal()
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// cut answers the first n requests of a path with half the body, then
// drops the connection.
func cut(n int) pkgtest.Fault {
	return func(w http.ResponseWriter, r *http.Request, hit int, data []byte) bool {
		if hit > n || r.Header.Get("Range") != "" {
			return false
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(http.StatusOK)
		w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
}

// TestSyncFaults checks each kind of fault a repository or the network
// can cause, on the fixture's bookworm amd64 6.1.0-53 package.
func TestSyncFaults(t *testing.T) {
	const victim = "6.1.0-53-cloud-amd64-dbg_6.1.187-1_amd64.deb"
	tests := []struct {
		name    string
		fault   pkgtest.Fault
		failed  int    // packages that fail
		message string // in the failure
	}{
		{"cut bodies are resumed", nil, 0, ""},
		{"always 500", func(w http.ResponseWriter, r *http.Request, hit int, data []byte) bool {
			http.Error(w, "broken", http.StatusInternalServerError)
			return true
		}, 1, "500"},
		{"redirect loop", func(w http.ResponseWriter, r *http.Request, hit int, data []byte) bool {
			to := r.URL.Path
			if r.URL.RawQuery == "" {
				to += "?again"
			}
			http.Redirect(w, r, to, http.StatusFound)
			return true
		}, 1, "redirect"},
		{"stalled", func(w http.ResponseWriter, r *http.Request, hit int, data []byte) bool {
			w.WriteHeader(http.StatusOK)
			w.Write(data[:10])
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return true
		}, 1, "stall"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			fault := tt.fault
			if fault == nil {
				fault = cut(2)
			}
			f.srv.SetFault(victim, fault)
			dir := t.TempDir()
			sum, err := syncTree(t, dir, f.options(t))
			if got := sum.Count(Failed); got != tt.failed {
				t.Fatalf("%d failed, want %d: %v", got, tt.failed, err)
			}
			if tt.failed == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if f.srv.Hits(victim) < 2 {
					t.Fatalf("%d requests for the cut package, want retries", f.srv.Hits(victim))
				}
				withoutRecords(t, dir)
				sameTree(t, dir, f.addTree(t))
				return
			}
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), tt.message) || !strings.Contains(err.Error(), victim) {
				t.Fatalf("err = %v, want one naming %s and %q", err, victim, tt.message)
			}
			// The others are in the tree; the failure is recorded.
			if sum.Count(Added) != 3 {
				t.Fatalf("%d added, want 3", sum.Count(Added))
			}
			c, _ := index.ReadFile(filepath.Join(dir, index.FileName))
			var failed []index.Record
			for _, r := range c.Packages {
				if r.Status == index.Failed {
					failed = append(failed, r)
				}
			}
			if len(failed) != 1 || !strings.Contains(victim, strings.TrimPrefix(failed[0].Source, "linux-image-")[:20]) {
				t.Fatalf("records %+v, want the victim failed", c.Packages)
			}
			// Not retried without --retry-failed, even once the fault is gone.
			f.srv.SetFault(victim, nil)
			before := f.srv.Hits(victim)
			if _, err := syncTree(t, dir, f.options(t)); err == nil {
				t.Fatal("a recorded failure is not an error")
			}
			if f.srv.Hits(victim) != before {
				t.Fatal("a recorded failure was fetched again without RetryFailed")
			}
			opt := f.options(t)
			opt.RetryFailed = true
			if _, err := syncTree(t, dir, opt); err != nil {
				t.Fatal(err)
			}
			withoutRecords(t, dir)
			sameTree(t, dir, f.addTree(t))
		})
	}
}

// TestSyncChecksumMismatch serves a package whose bytes differ from the
// index's: it is refused, and nothing of it reaches the tree.
func TestSyncChecksumMismatch(t *testing.T) {
	f := newFixture(t)
	const p = "pool/main/l/linux/linux-image-6.1.0-54-cloud-amd64-dbg_6.1.190-1_amd64.deb"
	other := pkgtest.KernelDeb("6.1.0-54-cloud-amd64", "6.1.190-9", "amd64").Data
	data := make([]byte, 0)
	data = append(data, other...)
	f.srv.SetFile(p, data)
	dir := t.TempDir()
	sum, err := syncTree(t, dir, f.options(t))
	if !errors.Is(err, repo.ErrChecksum) {
		t.Fatalf("err = %v, want a checksum mismatch", err)
	}
	if sum.Count(Failed) != 1 || sum.Count(Added) != 3 {
		t.Fatalf("%d failed, %d added", sum.Count(Failed), sum.Count(Added))
	}
	if _, err := os.Stat(filepath.Join(dir, "debian/12/x86_64/6.1.0-54-cloud-amd64.btf.tar.xz")); !os.IsNotExist(err) {
		t.Fatalf("the refused package's kernel is in the tree: %v", err)
	}
}

// TestSyncSignatures refuses a repository whose Release is unsigned or
// signed by another key, before any package is fetched, unless NoVerify.
func TestSyncSignatures(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(f *fixture, t *testing.T)
	}{
		{"unsigned", func(f *fixture, t *testing.T) {
			f.srv.SetFault("InRelease", func(w http.ResponseWriter, r *http.Request, hit int, data []byte) bool {
				http.NotFound(w, r)
				return true
			})
		}},
		{"other key", func(f *fixture, t *testing.T) {
			other, err := pkgtest.NewKey("intruder")
			if err != nil {
				t.Fatal(err)
			}
			files, _ := pkgtest.APTRepo(f.suite, other)
			for _, s := range []string{"bookworm", "bullseye"} {
				f.srv.SetFile("dists/"+s+"/InRelease", files.Files["dists/"+s+"/InRelease"])
			}
		}},
		{"tampered", func(f *fixture, t *testing.T) {
			files, _ := pkgtest.APTRepo(f.suite, f.key)
			in := files.Files["dists/bookworm/InRelease"]
			f.srv.SetFile("dists/bookworm/InRelease", []byte(strings.Replace(string(in), "Version: 12.5", "Version: 12.6", 1)))
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.edit(f, t)
			dir := t.TempDir()
			_, err := syncTree(t, dir, f.options(t))
			if !errors.Is(err, repo.ErrSignature) {
				t.Fatalf("err = %v, want a signature error", err)
			}
			if n := f.srv.Hits(".deb") + f.srv.Hits("Packages.gz") + f.srv.Hits("Packages"); n != 0 {
				t.Fatalf("%d requests for indexes or packages after a bad signature", n)
			}
			opt := f.options(t)
			for _, r := range opt.Repositories {
				r.(aptRepo).r.NoVerify = true
			}
			var warned bool
			opt.Events = func(e Event) {
				if e.Kind == Warning && strings.Contains(e.Message, "verif") {
					warned = true
				}
			}
			if _, err := syncTree(t, dir, opt); err != nil && tt.name != "tampered" {
				t.Fatal(err)
			}
			if !warned {
				t.Error("NoVerify gave no warning")
			}
		})
	}
}

// TestSyncSelect checks Match, Shard, DryRun and SkipWithBTF.
func TestSyncSelect(t *testing.T) {
	f := newFixture(t)
	opt := f.options(t)
	opt.DryRun = true
	opt.Match = regexp.MustCompile(`^6\.1\.`)
	sum, err := syncTree(t, t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Count(Planned) != 4 || f.srv.Hits(".deb") != 0 {
		t.Fatalf("dry run: %d planned, %d package requests", sum.Count(Planned), f.srv.Hits(".deb"))
	}
	// Shards partition the packages.
	seen := map[string]int{}
	for i := range 3 {
		opt := f.options(t)
		opt.DryRun, opt.Shard, opt.Shards = true, i, 3
		sum, err := syncTree(t, t.TempDir(), opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range sum.Results {
			seen[r.Package.Source()]++
		}
	}
	if len(seen) != 5 {
		t.Fatalf("shards saw %d packages, want 5: %v", len(seen), seen)
	}
	for s, n := range seen {
		if n != 1 {
			t.Errorf("%s in %d shards", s, n)
		}
	}
	// Every fixture kernel has .BTF: with SkipWithBTF all are skipped,
	// recorded, and not fetched again.
	dir := t.TempDir()
	opt = f.options(t)
	opt.SkipWithBTF = true
	sum, err = syncTree(t, dir, opt)
	if err != nil || sum.Count(Skipped) != 5 || sum.Count(Added) != 0 {
		t.Fatalf("skip with BTF: %d skipped, %d added, %v", sum.Count(Skipped), sum.Count(Added), err)
	}
	before := f.srv.Hits(".deb")
	if _, err := syncTree(t, dir, opt); err != nil || f.srv.Hits(".deb") != before {
		t.Fatalf("second sync with SkipWithBTF fetched %d packages (%v)", f.srv.Hits(".deb")-before, err)
	}
}

// TestSyncUbuntu reads an Ubuntu-style repository, where a kernel has two
// debug packages and only the unsigned one holds the vmlinux: the kernel
// is added once, from the larger package, under ubuntu/22.04.
func TestSyncUbuntu(t *testing.T) {
	key, err := pkgtest.NewKey("ubuntu")
	if err != nil {
		t.Fatal(err)
	}
	const rel = "5.15.0-91-generic"
	small := "linux-image-" + rel + "-dbgsym"
	big := "linux-image-unsigned-" + rel + "-dbgsym"
	suites := []pkgtest.Suite{{Name: "jammy-updates", Origin: "Ubuntu", Version: "22.04", Codename: "jammy", Packages: []pkgtest.DebPackage{
		{Name: small, Version: "5.15.0-91.101", Arch: "amd64", Data: pkgtest.Deb(small, "5.15.0-91.101", "amd64", []pkgtest.File{{Name: "./usr/share/doc/" + small + "/copyright", Data: []byte("GPL")}})},
		{Name: big, Version: "5.15.0-91.101", Arch: "amd64", Data: pkgtest.Deb(big, "5.15.0-91.101", "amd64", []pkgtest.File{{Name: "./usr/lib/debug/boot/vmlinux-" + rel, Data: pkgtest.Vmlinux()}})},
	}}}
	r, err := pkgtest.APTRepo(suites, key)
	if err != nil {
		t.Fatal(err)
	}
	srv := pkgtest.NewServer(r)
	defer srv.Close()
	fx := &fixture{srv: srv, key: key}
	opt := fx.options(t)
	opt.Repositories = []Repository{APT(&apt.Repo{URL: srv.URL, Suites: []string{"jammy-updates"}, Keyring: opt.Repositories[0].(aptRepo).r.Keyring})}
	dir := t.TempDir()
	sum, err := syncTree(t, dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Count(Added) != 1 || len(sum.Results) != 1 || sum.Results[0].Package.Name != big {
		t.Fatalf("results %+v", sum.Results)
	}
	if _, err := os.Stat(filepath.Join(dir, "ubuntu/22.04/x86_64", rel+".btf.tar.xz")); err != nil {
		t.Fatal(err)
	}
	if len(sum.Skipped) != 1 || !strings.Contains(sum.Skipped[0].Name, small) {
		t.Fatalf("skipped %+v, want the small package", sum.Skipped)
	}
	if srv.Hits(small) != 0 {
		t.Fatal("the small package was fetched")
	}
}

// TestSyncShardsMerge syncs the fixture in three shards, as the machines
// of a CI matrix would, and merges them: the result is the tree one sync
// makes, package records included.
func TestSyncShardsMerge(t *testing.T) {
	f := newFixture(t)
	whole := t.TempDir()
	if _, err := syncTree(t, whole, f.options(t)); err != nil {
		t.Fatal(err)
	}
	var shards []string
	for i := range 3 {
		opt := f.options(t)
		opt.Shard, opt.Shards = i, 3
		dir := t.TempDir()
		if _, err := syncTree(t, dir, opt); err != nil {
			t.Fatal(err)
		}
		shards = append(shards, dir)
	}
	merged := t.TempDir()
	if _, err := archive.Merge(merged, shards, false); err != nil {
		t.Fatal(err)
	}
	sameTree(t, merged, whole)
}
