//go:build unix

package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// benchSize is the size of the file the benchmarks stream.
const benchSize = 256 << 20

var benchFile = sync.OnceValues(func() ([]byte, string) {
	data := testData(benchSize, 42)
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:])
})

// cpuTime is the CPU time, user and system, of the process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs fn b.N times and reports, beside the time, the CPU time of
// the process per run, which a busy machine disturbs less (it includes
// the loopback server's).
func loop(b *testing.B, fn func()) {
	b.SetBytes(benchSize)
	start := cpuTime(b)
	for b.Loop() {
		fn()
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkOpen streams 256 MiB from a loopback server through a Body,
// SHA-256 included, through io.Copy (WriteTo) and through 32 KiB reads,
// and compares it with a plain http.Get read, with and without hashing,
// and with reading a local file, with and without hashing.
func BenchmarkOpen(b *testing.B) {
	data, sum := benchFile()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	}))
	defer srv.Close()
	client := NewHTTPClient()
	c := &Client{HTTP: client}
	if _, err := c.Get(context.Background(), srv.URL, benchSize); err != nil { // warms the server up
		b.Fatal(err)
	}

	b.Run("Body", func(b *testing.B) {
		loop(b, func() {
			body, err := c.Open(context.Background(), srv.URL, &OpenOptions{Size: benchSize, SHA256: sum})
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.Copy(io.Discard, body); err != nil || n != benchSize {
				b.Fatal(n, err)
			}
			body.Close()
		})
	})
	b.Run("BodyRead32K", func(b *testing.B) {
		buf := make([]byte, 32<<10)
		loop(b, func() {
			body, err := c.Open(context.Background(), srv.URL, &OpenOptions{Size: benchSize, SHA256: sum})
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{body}, buf); err != nil || n != benchSize {
				b.Fatal(n, err)
			}
			body.Close()
		})
	})
	b.Run("HTTPGet", func(b *testing.B) {
		loop(b, func() {
			resp, err := client.Get(srv.URL)
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.Copy(io.Discard, resp.Body); err != nil || n != benchSize {
				b.Fatal(n, err)
			}
			resp.Body.Close()
		})
	})
	b.Run("HTTPGetSHA256", func(b *testing.B) {
		loop(b, func() {
			resp, err := client.Get(srv.URL)
			if err != nil {
				b.Fatal(err)
			}
			h := sha256.New()
			if n, err := io.Copy(h, resp.Body); err != nil || n != benchSize {
				b.Fatal(n, err)
			}
			resp.Body.Close()
		})
	})
	b.Run("LocalFile", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "pkg")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			b.Fatal(err)
		}
		loop(b, func() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.Copy(io.Discard, f); err != nil || n != benchSize {
				b.Fatal(n, err)
			}
			f.Close()
		})
	})
	b.Run("LocalFileSHA256", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "pkg")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			b.Fatal(err)
		}
		loop(b, func() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			h := sha256.New()
			if n, err := io.Copy(h, f); err != nil || n != benchSize {
				b.Fatal(n, err)
			}
			f.Close()
		})
	})
}
