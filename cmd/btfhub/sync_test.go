package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/internal/pkgtest"
)

// syncRepo serves a signed APT repository of two small kernels and
// returns the server and the keyring file that verifies it.
func syncRepo(t *testing.T) (*pkgtest.Server, string) {
	key, err := pkgtest.NewKey("cli")
	if err != nil {
		t.Fatal(err)
	}
	r, err := pkgtest.APTRepo([]pkgtest.Suite{{Name: "bookworm", Origin: "Debian", Version: "12.5", Codename: "bookworm", Packages: []pkgtest.DebPackage{
		pkgtest.KernelDeb("6.1.0-53-cloud-amd64", "6.1.187-1", "amd64"),
		pkgtest.KernelDeb("6.1.0-53-cloud-arm64", "6.1.187-1", "arm64"),
	}}}, key)
	if err != nil {
		t.Fatal(err)
	}
	srv := pkgtest.NewServer(r)
	t.Cleanup(srv.Close)
	kr := filepath.Join(t.TempDir(), "key.gpg")
	if err := os.WriteFile(kr, key.Public(), 0o644); err != nil {
		t.Fatal(err)
	}
	return srv, kr
}

func TestArchiveSync(t *testing.T) {
	srv, kr := syncRepo(t)
	tree := filepath.Join(t.TempDir(), "tree")
	apt := []string{"archive", "sync", tree, "--apt", srv.URL, "--suite", "bookworm", "--keyring", kr, "--stall-timeout", "5s"}

	out, errOut, code := run(t, append(apt, "--dry-run")...)
	if code != 0 || !strings.Contains(out, "2 packages to fetch") || !strings.Contains(out, "debian/12/arm64/6.1.0-53-cloud-arm64") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = run(t, apt...)
	if code != 0 || !strings.HasPrefix(out, "2 added, 0 replaced, 0 unchanged, 0 skipped, 0 failed") {
		t.Fatalf("sync: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "linux-image-6.1.0-53-cloud-amd64-dbg_6.1.187-1_amd64.deb added") {
		t.Errorf("no progress line for the package:\n%s", errOut)
	}
	out, _, code = run(t, "archive", "list", tree)
	if code != 0 || !strings.Contains(out, "6.1.0-53-cloud-arm64") {
		t.Fatalf("list: exit %d\n%s", code, out)
	}
	before := srv.Hits(".deb")
	out, _, code = run(t, apt...)
	if code != 0 || !strings.HasPrefix(out, "0 added, 0 replaced, 2 unchanged") || srv.Hits(".deb") != before {
		t.Fatalf("second sync: exit %d, %d package requests\n%s", code, srv.Hits(".deb")-before, out)
	}

	// A package that always fails: exit 1, the other is added.
	srv.SetFault("arm64.deb", func(w http.ResponseWriter, r *http.Request, hit int, data []byte) bool {
		http.Error(w, "gone wrong", http.StatusBadGateway)
		return true
	})
	tree2 := filepath.Join(t.TempDir(), "tree")
	apt[2] = tree2
	out, errOut, code = run(t, append(apt, "--retries", "2")...)
	if code != 1 || !strings.HasPrefix(out, "1 added, 0 replaced, 0 unchanged, 0 skipped, 1 failed") ||
		!strings.Contains(out, "failed linux-image-6.1.0-53-cloud-arm64-dbg_6.1.187-1_arm64.deb: ") ||
		!strings.HasPrefix(errOut[strings.LastIndex(errOut[:len(errOut)-1], "\n")+1:], "btfhub: ") {
		t.Fatalf("failing package: exit %d\n%s%s", code, out, errOut)
	}
}

func TestArchiveSyncSources(t *testing.T) {
	srv, kr := syncRepo(t)
	dir := t.TempDir()
	sources := filepath.Join(dir, "test.sources")
	os.WriteFile(sources, []byte(fmt.Sprintf("Types: deb deb-src\nURIs: %s\nSuites: bookworm\nComponents: main\nSigned-By: %s\n", srv.URL, kr)), 0o644)
	out, errOut, code := run(t, "archive", "sync", filepath.Join(dir, "a"), "--apt-sources="+sources, "--arch", "arm64")
	if code != 0 || !strings.HasPrefix(out, "1 added,") {
		t.Fatalf("--apt-sources: exit %d\n%s%s", code, out, errOut)
	}
	config := filepath.Join(dir, "repos.json")
	doc, _ := json.Marshal(map[string]any{"repositories": []any{map[string]any{
		"type": "apt", "url": srv.URL, "suites": []string{"bookworm"}, "keyrings": []string{filepath.Base(kr)}}}})
	os.WriteFile(config, doc, 0o644)
	os.Rename(kr, filepath.Join(dir, filepath.Base(kr)))
	out, errOut, code = run(t, "archive", "sync", filepath.Join(dir, "b"), "--config", config)
	if code != 0 || !strings.HasPrefix(out, "2 added,") {
		t.Fatalf("--config: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = run(t, "archive", "sync", filepath.Join(dir, "c"), "--apt", srv.URL, "--suite", "bookworm", "--no-verify", "--dry-run")
	if code != 0 || !strings.Contains(errOut, "warning: signature checks are off (--no-verify)") {
		t.Fatalf("--no-verify: exit %d\n%s%s", code, out, errOut)
	}
}

func TestArchiveSyncUsage(t *testing.T) {
	tree := t.TempDir()
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"archive", "sync", tree}, 2, "btfhub: archive sync: give --apt, --rpm, --apt-sources or --config\n"},
		{[]string{"archive", "sync", tree, "--apt", "http://127.0.0.1:1"}, 2, "btfhub: archive sync: --apt needs --suite\n"},
		{[]string{"archive", "sync", tree, "--apt", "http://127.0.0.1:1", "--suite", "x"}, 1, "btfhub: --apt and --rpm need --keyring (the keys their metadata is signed by), or --no-verify\n"},
		{[]string{"archive", "sync", tree, "--rpm", "http://127.0.0.1:1", "--no-verify", "--match", "("}, 2, "btfhub: archive sync: --match: error parsing regexp: missing closing ): `(`\n"},
		{[]string{"archive", "sync", tree, "--config", filepath.Join(tree, "missing.json")}, 1, "btfhub: open " + filepath.Join(tree, "missing.json") + ": no such file or directory\n"},
	} {
		t.Run(strings.Join(tt.args[3:], " "), func(t *testing.T) {
			_, stderr, code := run(t, tt.args...)
			if code != tt.code || stderr != tt.stderr {
				t.Fatalf("exit %d, stderr %q; want %d, %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}
}
