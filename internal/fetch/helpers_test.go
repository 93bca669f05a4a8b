package fetch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// testData returns n deterministic pseudo-random bytes.
func testData(n int, seed byte) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}

// sumHex is the lower-case hex SHA-256 of b.
func sumHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// fastClient retries quickly, for tests. Its stall timeout is long
// enough that a busy machine does not stall a test server.
func fastClient() *Client {
	return &Client{Attempts: 3, Backoff: time.Millisecond, StallTimeout: 5 * time.Second}
}

// stallClient is fastClient with a stall timeout of 200 ms.
func stallClient() *Client {
	c := fastClient()
	c.StallTimeout = 200 * time.Millisecond
	return c
}

// stallBound is how long the stall tests may take: three attempts of
// 200 ms take about 0.7 s, and a busy machine may add to it.
const stallBound = 3 * time.Second

// serve starts a loopback server whose handler may block on done, which
// is closed at the end of the test before the server is closed.
func serve(t *testing.T, handler func(done <-chan struct{}) http.Handler) *httptest.Server {
	t.Helper()
	done := make(chan struct{})
	srv := httptest.NewServer(handler(done))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) }) // runs before srv.Close
	return srv
}

// recorder counts a handler's requests and keeps their Range and If-Range
// headers.
type recorder struct {
	mu       sync.Mutex
	n        int
	ranges   []string
	ifRanges []string
}

// record notes r and returns its number, counting from 1.
func (rec *recorder) record(r *http.Request) int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.n++
	rec.ranges = append(rec.ranges, r.Header.Get("Range"))
	rec.ifRanges = append(rec.ifRanges, r.Header.Get("If-Range"))
	return rec.n
}

func (rec *recorder) count() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.n
}

// fileServer serves data, honouring Range unless ignoreRange, and cuts
// the first cuts responses after cutAfter bytes of body.
type fileServer struct {
	recorder
	data        []byte
	etag        string
	ignoreRange bool
	cuts        int
	cutAfter    int
}

func (f *fileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.record(r)
	if f.etag != "" {
		w.Header().Set("ETag", f.etag)
	}
	if n <= f.cuts {
		w = &cutWriter{ResponseWriter: w, left: f.cutAfter}
	}
	if f.ignoreRange {
		w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
		w.Write(f.data)
		return
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
}

// cutWriter writes left bytes of body, flushes them, and aborts the
// response, which cuts the connection.
type cutWriter struct {
	http.ResponseWriter
	left int
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if len(p) <= c.left {
		c.left -= len(p)
		return c.ResponseWriter.Write(p)
	}
	c.ResponseWriter.Write(p[:c.left])
	c.left = 0
	http.NewResponseController(c.ResponseWriter).Flush()
	panic(http.ErrAbortHandler)
}
