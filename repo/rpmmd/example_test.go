package rpmmd_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/btfhub/btfhub/repo"
	"github.com/btfhub/btfhub/repo/rpmmd"
)

// dirGetter serves a repository from a directory, as a Getter serves it
// from a server.
type dirGetter struct{ base, dir string }

func (g dirGetter) Get(_ context.Context, url string, max int64) ([]byte, error) {
	data, err := os.ReadFile(g.dir + strings.TrimPrefix(url, g.base))
	if os.IsNotExist(err) {
		return nil, fmt.Errorf("%s: %w", url, repo.ErrNotFound)
	}
	if err == nil && int64(len(data)) > max {
		return nil, fmt.Errorf("%s: more than %d bytes", url, max)
	}
	return data, err
}

func Example() {
	// testdata/example is the repodata/ of a small Fedora-like debug
	// repository, as createrepo_c wrote it.
	g := dirGetter{base: "http://repo.test/fedora", dir: "testdata/example"}
	idx, err := rpmmd.Discover(context.Background(), g, &rpmmd.Repo{URL: "http://repo.test/fedora", NoVerify: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range idx.Packages {
		fmt.Println(p.Source(), p.Distro, p.DistroVersion, p.KernelArch, p.Release)
	}
	for _, s := range idx.Skipped {
		fmt.Println("skipped", s.Name+":", s.Reason)
	}
	// Output:
	// kernel-debug-debuginfo_6.5.6-300.fc39_x86_64 fedora 39 x86_64 6.5.6-300.fc39.x86_64+debug
	// kernel-debuginfo_6.5.6-300.fc39_x86_64 fedora 39 x86_64 6.5.6-300.fc39.x86_64
	// skipped kernel-debuginfo-common-x86_64-6.5.6-300.fc39.x86_64: debug sources only, holds no vmlinux
}
