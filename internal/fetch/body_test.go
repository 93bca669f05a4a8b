package fetch

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/btfhub/btfhub/repo"
)

// openAll opens url for data's size and checksum and reads it all with
// reads of chunk bytes (0: through WriteTo).
func openAll(t *testing.T, c *Client, url string, data []byte, chunk int) ([]byte, *Body, error) {
	t.Helper()
	var progress int64
	opt := &OpenOptions{Size: int64(len(data)), SHA256: sumHex(data), Progress: func(n int64) {
		if n <= 0 {
			t.Errorf("Progress(%d)", n)
		}
		progress += n
	}}
	b, err := c.Open(context.Background(), url, opt)
	if err != nil {
		return nil, nil, err
	}
	defer b.Close()
	var out bytes.Buffer
	if chunk == 0 {
		_, err = io.Copy(&out, b)
	} else {
		_, err = io.CopyBuffer(&out, struct{ io.Reader }{b}, make([]byte, chunk))
	}
	if progress != int64(out.Len()) {
		t.Errorf("Progress totals %d, delivered %d", progress, out.Len())
	}
	return out.Bytes(), b, err
}

func TestOpenResumes(t *testing.T) {
	data := testData(3<<20+12345, 3)
	tests := []struct {
		name        string
		etag        string
		ignoreRange bool
		cuts        int
		chunk       int
		ranges      []string
		ifRanges    []string
	}{
		{name: "plain", chunk: 0, ranges: []string{""}},
		{name: "plain small reads", chunk: 1000, ranges: []string{""}},
		{
			name: "cut twice, range", cuts: 2, etag: `"v1"`, chunk: 0,
			ranges:   []string{"", "bytes=100000-", "bytes=200000-"},
			ifRanges: []string{"", `"v1"`, `"v1"`},
		},
		{
			name: "cut twice, range, weak ETag", cuts: 2, etag: `W/"v1"`, chunk: 4096,
			ranges:   []string{"", "bytes=100000-", "bytes=200000-"},
			ifRanges: []string{"", "", ""},
		},
		{
			name: "cut twice, range ignored", cuts: 2, ignoreRange: true, chunk: 0,
			ranges: []string{"", "bytes=100000-", "bytes=100000-"},
		},
		{
			name: "cut twice, range ignored, small reads", cuts: 2, ignoreRange: true, chunk: 777,
			ranges: []string{"", "bytes=100000-", "bytes=100000-"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := &fileServer{data: data, etag: tt.etag, ignoreRange: tt.ignoreRange, cuts: tt.cuts, cutAfter: 100000}
			srv := serve(t, func(<-chan struct{}) http.Handler { return fs })
			c := fastClient()
			retried := 0
			c.OnRetry = func(string, int, error) { retried++ }
			got, b, err := openAll(t, c, srv.URL, data, tt.chunk)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("got %d bytes, differing", len(got))
			}
			if b.Retries() != tt.cuts || retried != tt.cuts {
				t.Errorf("Retries %d, OnRetry %d, want %d", b.Retries(), retried, tt.cuts)
			}
			if strings.Join(fs.ranges, ",") != strings.Join(tt.ranges, ",") {
				t.Errorf("Range headers %q, want %q", fs.ranges, tt.ranges)
			}
			if tt.ifRanges != nil && strings.Join(fs.ifRanges, ",") != strings.Join(tt.ifRanges, ",") {
				t.Errorf("If-Range headers %q, want %q", fs.ifRanges, tt.ifRanges)
			}
		})
	}
}

func TestOpenLastModifiedValidator(t *testing.T) {
	data := testData(300000, 4)
	var rec recorder
	mod := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := serve(t, func(<-chan struct{}) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var ww http.ResponseWriter = w
			if rec.record(r) == 1 {
				ww = &cutWriter{ResponseWriter: w, left: 1000}
			}
			http.ServeContent(ww, r, "", mod, bytes.NewReader(data))
		})
	})
	got, _, err := openAll(t, fastClient(), srv.URL, data, 0)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("%d bytes, %v", len(got), err)
	}
	if want := mod.Format(http.TimeFormat); rec.ifRanges[1] != want || rec.ranges[1] != "bytes=1000-" {
		t.Errorf("second request Range %q If-Range %q", rec.ranges[1], rec.ifRanges[1])
	}
}

func TestOpenTestReader(t *testing.T) {
	data := testData(20000, 5)
	srv := serve(t, func(<-chan struct{}) http.Handler { return &fileServer{data: data} })
	b, err := fastClient().Open(context.Background(), srv.URL, &OpenOptions{Size: int64(len(data)), SHA256: sumHex(data)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := iotest.TestReader(b, data); err != nil {
		t.Fatal(err)
	}
}

// handlerFunc answers the n-th request (from 1).
type handlerFunc func(w http.ResponseWriter, r *http.Request, n int)

func TestOpenFailures(t *testing.T) {
	data := testData(50000, 6)
	other := testData(50000, 7)
	short := data[:40000]
	tests := []struct {
		name       string
		handler    handlerFunc
		openFails  bool   // Open itself fails
		wantErr    error  // errors.Is target, or nil
		wantText   string // in the error
		requests   int    // exact count, or with maxRequests the least
		delivered  int    // bytes the reader sees before the error, -1 to skip the check
		maxElapsed time.Duration
		stall      bool // use stallClient
	}{
		{
			name: "503 twice then ok", requests: 3,
			handler: func(w http.ResponseWriter, r *http.Request, n int) {
				if n <= 2 {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				w.Write(data)
			},
		},
		{
			name: "always 500", openFails: true, requests: 3,
			wantText: "giving up after 3 attempts without progress (0 of 50000 bytes delivered): HTTP 500 Internal Server Error",
			handler:  func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(500) },
		},
		{
			name: "404", openFails: true, requests: 1, wantErr: repo.ErrNotFound, wantText: "HTTP 404",
			handler: func(w http.ResponseWriter, r *http.Request, n int) { http.NotFound(w, r) },
		},
		{
			name: "checksum mismatch", requests: 1, wantErr: repo.ErrChecksum, delivered: len(other),
			wantText: "sha256 " + sumHex(other) + ", want " + sumHex(data),
			handler:  func(w http.ResponseWriter, r *http.Request, n int) { w.Write(other) },
		},
		{
			name: "Content-Length differs", openFails: true, requests: 1, wantErr: repo.ErrChecksum,
			wantText: "Content-Length 40000",
			handler: func(w http.ResponseWriter, r *http.Request, n int) {
				w.Header().Set("Content-Length", strconv.Itoa(len(short)))
				w.Write(short)
			},
		},
		{
			name: "body longer, chunked", requests: 1, wantErr: repo.ErrChecksum, delivered: -1,
			wantText: "more than the 50000 bytes",
			handler: func(w http.ResponseWriter, r *http.Request, n int) {
				http.NewResponseController(w).Flush()
				w.Write(data)
				w.Write(data)
			},
		},
		{
			name: "body shorter, chunked, then 416", requests: 2, wantErr: repo.ErrChecksum, delivered: len(short),
			wantText: "HTTP 416",
			handler: func(w http.ResponseWriter, r *http.Request, n int) {
				if r.Header.Get("Range") != "" {
					w.Header().Set("Content-Range", "bytes */40000")
					w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
					return
				}
				http.NewResponseController(w).Flush()
				w.Write(short)
			},
		},
		{
			name: "body shorter, chunked, range ignored", requests: 4, wantErr: repo.ErrChecksum, delivered: len(short),
			wantText: "giving up after 3 attempts without progress (40000 of 50000 bytes delivered): body ended after 40000 of 50000 bytes",
			handler: func(w http.ResponseWriter, r *http.Request, n int) {
				http.NewResponseController(w).Flush()
				w.Write(short)
			},
		},
		{
			name: "body shorter, then empty 206s", requests: 4, wantErr: repo.ErrChecksum, delivered: len(short),
			wantText: "giving up after 3 attempts without progress",
			handler: func(w http.ResponseWriter, r *http.Request, n int) {
				if n > 1 {
					w.Header().Set("Content-Range", "bytes 40000-49999/50000")
					w.WriteHeader(http.StatusPartialContent)
					http.NewResponseController(w).Flush()
					return
				}
				http.NewResponseController(w).Flush()
				w.Write(short)
			},
		},
		{
			name: "bad Content-Range restarts without range", requests: 3,
			handler: func(w http.ResponseWriter, r *http.Request, n int) {
				switch n {
				case 1:
					w.Header().Set("Content-Length", strconv.Itoa(len(data)))
					(&cutWriter{ResponseWriter: w, left: 1234}).Write(data)
				case 2:
					w.Header().Set("Content-Range", "bytes 0-49999/50000")
					w.WriteHeader(http.StatusPartialContent)
					w.Write(data)
				default:
					if r.Header.Get("Range") != "" {
						t.Errorf("third request has Range %q", r.Header.Get("Range"))
					}
					w.Write(data)
				}
			},
		},
		{
			name: "file changed during download", requests: 2, wantErr: repo.ErrChecksum, delivered: 1234,
			wantText: "the file changed on the server",
			handler: func(w http.ResponseWriter, r *http.Request, n int) {
				w.Header().Set("Content-Length", strconv.Itoa(len(data)))
				if n == 1 {
					(&cutWriter{ResponseWriter: w, left: 1234}).Write(data)
				}
				w.Write(other)
			},
		},
		{
			name: "every response cut after 1000 bytes", requests: 13, delivered: 13000,
			wantText: "giving up after 12 reconnects (13000 of 50000 bytes delivered): unexpected EOF",
			handler: func(w http.ResponseWriter, r *http.Request, n int) {
				http.ServeContent(&cutWriter{ResponseWriter: w, left: 1000}, r, "", time.Time{}, bytes.NewReader(data))
			},
		},
		{
			name: "stall after some bytes, then ok", requests: 2, maxElapsed: stallBound, stall: true,
			handler: func(w http.ResponseWriter, r *http.Request, n int) {
				if n == 1 {
					w.Header().Set("Content-Length", strconv.Itoa(len(data)))
					w.Write(data[:1000])
					http.NewResponseController(w).Flush()
					<-r.Context().Done()
					return
				}
				http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			srv := serve(t, func(done <-chan struct{}) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					tt.handler(w, r, rec.record(r))
				})
			})
			c := fastClient()
			if tt.stall {
				c = stallClient()
			}
			retried := 0
			c.OnRetry = func(string, int, error) { retried++ }
			start := time.Now()
			got, b, err := openAll(t, c, srv.URL, data, 0)
			if b == nil != tt.openFails {
				t.Fatalf("Open error %v, want failure %v", err, tt.openFails)
			}
			if tt.wantErr == nil && tt.wantText == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, data) {
					t.Fatalf("got %d bytes, differing", len(got))
				}
			} else {
				if err == nil {
					t.Fatal("no error")
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("error %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantText) || !strings.Contains(err.Error(), srv.URL) {
					t.Errorf("error %q, want it to name %q and the URL", err, tt.wantText)
				}
				if !tt.openFails && tt.delivered >= 0 && len(got) != tt.delivered {
					t.Errorf("delivered %d bytes, want %d", len(got), tt.delivered)
				}
				if !tt.openFails && !bytes.Equal(got, data[:len(got)]) && !errors.Is(err, repo.ErrChecksum) {
					t.Errorf("delivered bytes differ")
				}
			}
			if n := rec.count(); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if retried != tt.requests-1 {
				t.Errorf("OnRetry called %d times, want %d", retried, tt.requests-1)
			}
			if b != nil && b.Retries() != tt.requests-1 {
				t.Errorf("Retries %d, want %d", b.Retries(), tt.requests-1)
			}
			if tt.maxElapsed > 0 && time.Since(start) > tt.maxElapsed {
				t.Errorf("took %v", time.Since(start))
			}
		})
	}
}

func TestOpenStall(t *testing.T) {
	data := testData(50000, 8)
	tests := []struct {
		name    string
		headers bool
	}{
		{"no headers", false},
		{"headers and some bytes", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			srv := serve(t, func(done <-chan struct{}) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					rec.record(r)
					if tt.headers {
						w.Header().Set("Content-Length", strconv.Itoa(len(data)))
						w.Write(data[:1000])
						http.NewResponseController(w).Flush()
					}
					<-done // deliberately deaf to the client going away
				})
			})
			start := time.Now()
			got, _, err := openAll(t, stallClient(), srv.URL, data, 0)
			if !errors.Is(err, errStalled) || !strings.Contains(err.Error(), srv.URL) {
				t.Fatalf("error %v, want a stall naming the URL", err)
			}
			if d := time.Since(start); d > stallBound {
				t.Errorf("took %v", d)
			}
			if tt.headers && !bytes.Equal(got, data[:1000]) {
				t.Errorf("delivered %d bytes", len(got))
			}
			// One attempt delivers, then Attempts attempts without progress.
			want := 3
			if tt.headers {
				want = 4
			}
			if n := rec.count(); n != want {
				t.Errorf("%d requests, want %d", n, want)
			}
		})
	}
}

func TestOpenContextCancelled(t *testing.T) {
	data := testData(50000, 9)
	srv := serve(t, func(done <-chan struct{}) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			w.Write(data[:1000])
			http.NewResponseController(w).Flush()
			<-done
		})
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := &Client{StallTimeout: 10 * time.Second}
	b, err := c.Open(ctx, srv.URL, &OpenOptions{Size: int64(len(data)), SHA256: sumHex(data)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	buf := make([]byte, 1000)
	if _, err := io.ReadFull(b, buf); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = b.Read(buf)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), srv.URL) {
		t.Fatalf("error %v, want context.Canceled naming the URL", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	if _, err2 := b.Read(buf); err2 != err {
		t.Errorf("second Read: %v", err2)
	}
}

func TestOpenCloseAndArguments(t *testing.T) {
	data := testData(50000, 10)
	srv := serve(t, func(<-chan struct{}) http.Handler { return &fileServer{data: data} })
	b, err := fastClient().Open(context.Background(), srv.URL, &OpenOptions{Size: int64(len(data)), SHA256: sumHex(data)})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Read(make([]byte, 10)); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Read after Close: %v", err)
	}
	if n, err := b.WriteTo(io.Discard); n != 0 || !errors.Is(err, fs.ErrClosed) {
		t.Errorf("WriteTo after Close: %d, %v", n, err)
	}

	sum := sumHex(data)
	bad := []struct {
		name string
		url  string
		opt  *OpenOptions
	}{
		{"nil options", srv.URL, nil},
		{"zero size", srv.URL, &OpenOptions{SHA256: sum}},
		{"negative size", srv.URL, &OpenOptions{Size: -1, SHA256: sum}},
		{"no checksum", srv.URL, &OpenOptions{Size: 1}},
		{"upper-case checksum", srv.URL, &OpenOptions{Size: 1, SHA256: strings.ToUpper(sum)}},
		{"short checksum", srv.URL, &OpenOptions{Size: 1, SHA256: sum[:62]}},
		{"not hex", srv.URL, &OpenOptions{Size: 1, SHA256: strings.Repeat("g", 64)}},
		{"bad URL", "ftp://h/x", &OpenOptions{Size: 1, SHA256: sum}},
	}
	for _, tt := range bad {
		if _, err := fastClient().Open(context.Background(), tt.url, tt.opt); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestOpenSlowReaderIsNoStall(t *testing.T) {
	data := testData(50000, 11)
	srv := serve(t, func(<-chan struct{}) http.Handler { return &fileServer{data: data} })
	c := stallClient()
	b, err := c.Open(context.Background(), srv.URL, &OpenOptions{Size: int64(len(data)), SHA256: sumHex(data)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	time.Sleep(300 * time.Millisecond) // before the first read
	head := make([]byte, 1000)
	if _, err := io.ReadFull(b, head); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // between reads
	rest, err := io.ReadAll(b)
	if err != nil || !bytes.Equal(append(head, rest...), data) {
		t.Fatalf("%d bytes, %v", len(head)+len(rest), err)
	}
	if b.Retries() != 0 {
		t.Errorf("%d retries", b.Retries())
	}
}
