package apt_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/btfhub/btfhub/repo"
	"github.com/btfhub/btfhub/repo/apt"
)

// httpGetter is a minimal repo.Getter; btfhub's package fetch provides the
// real one, with retries.
type httpGetter struct{}

func (httpGetter) Get(ctx context.Context, url string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, repo.ErrNotFound
	}
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New(resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if int64(len(data)) > max {
		return nil, errors.New("too large")
	}
	return data, err
}

func Example() {
	// A one-suite repository, with an uncompressed Packages index.
	packages := `Package: linux-image-6.1.0-47-amd64-dbg
Version: 6.1.170-1
Architecture: amd64
Description: Debug symbols for linux-image-6.1.0-47-amd64
Filename: pool/main/l/linux/linux-image-6.1.0-47-amd64-dbg_6.1.170-1_amd64.deb
Size: 854655076
SHA256: 92537ddee62d004a3fe316373d75cba68f8eda1fe975b05968ac5dd5848b1ffa

Package: linux-image-amd64-dbg
Version: 6.1.170-1
Architecture: amd64
Description: Debugging symbols for Linux amd64 configuration (meta-package)
Filename: pool/main/l/linux/linux-image-amd64-dbg_6.1.170-1_amd64.deb
Size: 1168
SHA256: b7d74bd0e01d8dfb83f53197d8eefc49147293568f79403a61950556e857e10e
`
	release := fmt.Sprintf("Origin: Debian\nSuite: oldstable\nVersion: 12.15\nCodename: bookworm\n"+
		"Architectures: amd64\nComponents: main\nSHA256:\n %x %d main/binary-amd64/Packages\n",
		sha256.Sum256([]byte(packages)), len(packages))
	files := map[string]string{
		"/debian/dists/bookworm/Release":                    release,
		"/debian/dists/bookworm/main/binary-amd64/Packages": packages,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f, ok := files[r.URL.Path]; ok {
			io.WriteString(w, f)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()

	// Without NoVerify, Keyring must hold the archive's keys (see
	// repo.LoadKeyring and Source.Keyring).
	idx, err := apt.Discover(context.Background(), httpGetter{}, &apt.Repo{
		URL:      srv.URL + "/debian",
		Suites:   []string{"bookworm"},
		NoVerify: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range idx.Packages {
		fmt.Printf("%s/%s/%s/%s.btf from %s (%d bytes)\n", p.Distro, p.DistroVersion, p.KernelArch, p.Release, p.FileName(), p.Size)
	}
	for _, s := range idx.Skipped {
		fmt.Printf("skipped %s: %s\n", s.Name, s.Reason)
	}
	for _, w := range idx.Warnings {
		fmt.Println("warning:", strings.TrimPrefix(w, srv.URL))
	}
	// Output:
	// debian/12/x86_64/6.1.0-47-amd64.btf from linux-image-6.1.0-47-amd64-dbg_6.1.170-1_amd64.deb (854655076 bytes)
	// skipped linux-image-amd64-dbg_6.1.170-1_amd64: meta package
	// warning: /debian/dists/bookworm/Release: signature not checked (verification is off)
}
