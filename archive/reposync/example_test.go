package reposync_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/btfhub/btfhub/archive"
	"github.com/btfhub/btfhub/archive/reposync"
	"github.com/btfhub/btfhub/internal/pkgtest"
	"github.com/btfhub/btfhub/repo"
	"github.com/btfhub/btfhub/repo/apt"
)

// Example syncs a tree with a signed APT repository (here one served on
// loopback for the example) and lists what it holds. A second sync finds
// everything in place and downloads nothing.
func Example() {
	key, _ := pkgtest.NewKey("example")
	files, _ := pkgtest.APTRepo([]pkgtest.Suite{{Name: "bookworm", Origin: "Debian", Version: "12.5", Codename: "bookworm",
		Packages: []pkgtest.DebPackage{
			pkgtest.KernelDeb("6.1.0-53-cloud-amd64", "6.1.187-1", "amd64"),
			pkgtest.KernelDeb("6.1.0-53-cloud-arm64", "6.1.187-1", "arm64"),
		}}}, key)
	srv := pkgtest.NewServer(files)
	defer srv.Close()

	// In real use: repo.LoadKeyring("/usr/share/keyrings/debian-archive-keyring.gpg").
	keyring, err := repo.ReadKeyring(key.Public())
	if err != nil {
		log.Fatal(err)
	}
	dir, _ := os.MkdirTemp("", "tree")
	defer os.RemoveAll(dir)
	opt := &reposync.Options{Repositories: []reposync.Repository{
		reposync.APT(&apt.Repo{URL: srv.URL, Suites: []string{"bookworm"}, Keyring: keyring}),
	}}
	for range 2 {
		sum, err := reposync.Sync(context.Background(), dir, opt)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%d added, %d unchanged, %d package downloads so far\n", sum.Count(reposync.Added), sum.Count(reposync.Unchanged), srv.Hits(".deb"))
	}
	t, _ := archive.OpenTree(dir)
	entries, _ := t.Entries()
	for _, e := range entries {
		fmt.Println(e.Key(), e.Source)
	}
	// Output:
	// 2 added, 0 unchanged, 2 package downloads so far
	// 0 added, 2 unchanged, 2 package downloads so far
	// debian/12/arm64/6.1.0-53-cloud-arm64 linux-image-6.1.0-53-cloud-arm64-dbg_6.1.187-1_arm64
	// debian/12/x86_64/6.1.0-53-cloud-amd64 linux-image-6.1.0-53-cloud-amd64-dbg_6.1.187-1_amd64
}
