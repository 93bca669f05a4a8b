package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
	"github.com/btfhub/btfhub/repo/apt"
)

// TestArchiveSyncLive syncs three kernel debug packages from the Debian
// repositories this host's apt uses (--apt-sources, their Signed-By
// keyrings, --match), and checks each kernel against the .BTF of the same
// package extracted with dpkg-deb and objcopy from the copy that make
// testdata pinned (scripts/debs.manifest).
func TestArchiveSyncLive(t *testing.T) {
	if testing.Short() {
		t.Skip("downloads 850 MB from the host's Debian mirror")
	}
	srcs, err := apt.HostSources("/")
	if err != nil || len(srcs) == 0 {
		testutil.Missing(t, "no apt sources on this host (%v)", err)
	}
	releases := []string{"6.1.0-53-cloud-amd64", "6.1.0-54-cloud-amd64", "6.1.0-55-cloud-amd64"}
	testutil.RequireTool(t, "dpkg-deb")
	testutil.RequireTool(t, "objcopy")
	tree := filepath.Join(t.TempDir(), "tree")
	out, errOut, code := run(t, "archive", "sync", tree, "--apt-sources", "--arch", "amd64",
		"--match", `^6\.1\.0-(53|54|55)-cloud-amd64$`, "--jobs", "2")
	t.Logf("%s%s", out, errOut)
	if code != 0 || !strings.HasPrefix(out, "3 added, 0 replaced, 0 unchanged") {
		t.Fatalf("sync: exit %d", code)
	}
	for _, rel := range releases {
		got := filepath.Join(t.TempDir(), rel+".btf")
		if _, errOut, code := run(t, "archive", "get", tree, "--release", rel, "-o", got); code != 0 {
			t.Fatalf("archive get %s: %s", rel, errOut)
		}
		b, err := os.ReadFile(got)
		if err != nil {
			t.Fatal(err)
		}
		want, err := testutil.DebBTF(t, realDebPackage(t, rel), rel)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, want) {
			t.Errorf("%s: the synced BTF (%d bytes) differs from the package's .BTF (%d bytes)", rel, len(b), len(want))
		}
	}
	out, _, code = run(t, "archive", "list", tree)
	if code != 0 || strings.Count(out, "debian") != 3 {
		t.Fatalf("list:\n%s", out)
	}
}
