package fetch_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/btfhub/btfhub/internal/fetch"
)

func Example() {
	pkg := bytes.Repeat([]byte("kernel debug package "), 1000)
	sum := sha256.Sum256(pkg)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/Release" {
			fmt.Fprint(w, "Suite: bookworm\n")
			return
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(pkg))
	}))
	defer srv.Close()

	c := &fetch.Client{
		OnRetry: func(url string, attempt int, err error) {
			fmt.Printf("retrying %s after attempt %d: %v\n", url, attempt, err)
		},
	}
	ctx := context.Background()

	// Metadata, with a bound on its size.
	release, err := c.Get(ctx, srv.URL+"/Release", 1<<20)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s", release)

	// A package, streamed and checked against the metadata's size and
	// checksum.
	var got int64
	body, err := c.Open(ctx, srv.URL+"/linux-image-dbg.deb", &fetch.OpenOptions{
		Size:     int64(len(pkg)),
		SHA256:   hex.EncodeToString(sum[:]),
		Progress: func(n int64) { got += n },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer body.Close()
	n, err := io.Copy(io.Discard, body) // a BTF extractor would read here
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n, got, body.Retries())
	// Output:
	// Suite: bookworm
	// 21000 21000 0
}
