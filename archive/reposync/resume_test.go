package reposync

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btfhub/btfhub/internal/fetch"
	"github.com/btfhub/btfhub/repo"
	"github.com/btfhub/btfhub/repo/apt"
)

// TestSyncChild is the sync that TestSyncKilled runs in a process of its
// own and kills; it does nothing in a normal run.
func TestSyncChild(t *testing.T) {
	url := os.Getenv("BTFHUB_SYNC_CHILD_URL")
	if url == "" {
		t.Skip("the child process of TestSyncKilled")
	}
	kr, err := repo.LoadKeyring(os.Getenv("BTFHUB_SYNC_CHILD_KEY"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Sync(context.Background(), os.Getenv("BTFHUB_SYNC_CHILD_DIR"), &Options{
		Repositories: []Repository{APT(&apt.Repo{URL: url, Suites: []string{"bookworm", "bullseye"}, Keyring: kr})},
		Client:       &fetch.Client{Attempts: 1},
		Jobs:         1,
	})
	t.Fatalf("the child sync returned (%v); it should have been killed", err)
}

// TestSyncKilled kills a sync (SIGKILL) while it downloads its second
// package, at a point the server chooses, then syncs again: the tree is
// complete and the same as archive add makes.
func TestSyncKilled(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	keyFile := filepath.Join(t.TempDir(), "key.gpg")
	if err := os.WriteFile(keyFile, f.key.Public(), 0o644); err != nil {
		t.Fatal(err)
	}
	reached := make(chan struct{}, 1)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f.srv.SetFault("6.1.0-54-cloud-amd64-dbg_6.1.190-1_amd64.deb", func(w http.ResponseWriter, r *http.Request, hit int, data []byte) bool {
		if hit > 1 {
			return false
		}
		w.WriteHeader(http.StatusOK)
		w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		reached <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	})
	cmd := exec.Command(os.Args[0], "-test.run=^TestSyncChild$", "-test.v")
	cmd.Env = append(os.Environ(), "BTFHUB_SYNC_CHILD_URL="+f.srv.URL, "BTFHUB_SYNC_CHILD_DIR="+dir, "BTFHUB_SYNC_CHILD_KEY="+keyFile)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-reached:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the child never reached the second package:\n%s", out)
	}
	cmd.Process.Kill()
	cmd.Wait()
	// The first package is in; the second left nothing behind.
	if _, err := os.Stat(filepath.Join(dir, "debian/12/x86_64/6.1.0-53-cloud-amd64.btf.tar.xz")); err != nil {
		t.Fatalf("the package before the kill is not in the tree: %v\n%s", err, out)
	}
	sum, err := syncTree(t, dir, f.options(t))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Count(Added) != 3 || sum.Count(Unchanged) != 1 {
		t.Fatalf("resumed: %d added, %d unchanged, want 3 and 1", sum.Count(Added), sum.Count(Unchanged))
	}
	withoutRecords(t, dir)
	sameTree(t, dir, f.addTree(t))
}
