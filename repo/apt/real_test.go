package apt

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
	"github.com/btfhub/btfhub/repo"
)

// TestRealMirror runs Discover against a real Debian mirror when
// BTFHUB_TEST_APT_MIRROR names one (its base URL) and the host has
// Debian's archive keyring; BTFHUB_TEST_APT_SUITES lists the suites
// (default "bookworm"). It is skipped without BTFHUB_TEST_APT_MIRROR: it
// downloads tens of megabytes. With it, a missing keyring skips the test,
// or fails it in CI.
func TestRealMirror(t *testing.T) {
	base := os.Getenv("BTFHUB_TEST_APT_MIRROR")
	if base == "" {
		t.Skip("BTFHUB_TEST_APT_MIRROR is not set")
	}
	const keyring = "/usr/share/keyrings/debian-archive-keyring.gpg"
	k, err := repo.LoadKeyring(keyring)
	if err != nil {
		testutil.Missing(t, "Debian's archive keyring: %v", err)
	}
	suites := strings.Fields(os.Getenv("BTFHUB_TEST_APT_SUITES"))
	if len(suites) == 0 {
		suites = []string{"bookworm"}
	}
	idx, err := Discover(context.Background(), getter{}, &Repo{URL: base, Suites: suites, Keyring: k})
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Packages) == 0 {
		t.Error("no packages")
	}
	for _, p := range idx.Packages {
		t.Logf("%s/%s/%s/%s %s %d", p.Distro, p.DistroVersion, p.KernelArch, p.Release, p.FileName(), p.Size)
	}
	for _, s := range idx.Skipped {
		t.Logf("skipped %s: %s", s.Name, s.Reason)
	}
	for _, w := range idx.Warnings {
		t.Logf("warning: %s", w)
	}
}
