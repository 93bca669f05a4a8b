package fetch

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/btfhub/btfhub/repo"
)

// compile-time check that Client is a repo.Getter.
var _ repo.Getter = (*Client)(nil)

func TestGet(t *testing.T) {
	data := testData(10000, 1)
	tests := []struct {
		name string
		max  int64
		// respond answers the n-th request (from 1); it returns false to
		// serve data.
		respond  func(w http.ResponseWriter, n int) bool
		wantErr  error  // errors.Is target, or nil
		wantText string // in the error
		requests int
		retries  int
	}{
		{name: "ok", max: 10000, requests: 1},
		{name: "ok bigger bound", max: 1 << 30, requests: 1},
		{
			name: "503 twice", max: 10000, requests: 3, retries: 2,
			respond: func(w http.ResponseWriter, n int) bool {
				if n <= 2 {
					w.WriteHeader(http.StatusServiceUnavailable)
					return true
				}
				return false
			},
		},
		{
			name: "429 with Retry-After 0 then 408", max: 10000, requests: 3, retries: 2,
			respond: func(w http.ResponseWriter, n int) bool {
				switch n {
				case 1:
					w.Header().Set("Retry-After", "0")
					w.WriteHeader(http.StatusTooManyRequests)
					return true
				case 2:
					w.WriteHeader(http.StatusRequestTimeout)
					return true
				}
				return false
			},
		},
		{
			name: "always 500", max: 10000, requests: 3, retries: 2,
			wantText: "giving up after 3 attempts: HTTP 500 Internal Server Error",
			respond: func(w http.ResponseWriter, n int) bool {
				w.WriteHeader(http.StatusInternalServerError)
				return true
			},
		},
		{
			name: "404", max: 10000, requests: 1, wantErr: repo.ErrNotFound, wantText: "404",
			respond: func(w http.ResponseWriter, n int) bool { http.NotFound(w, nil); return true },
		},
		{
			name: "410", max: 10000, requests: 1, wantErr: repo.ErrNotFound, wantText: "410",
			respond: func(w http.ResponseWriter, n int) bool { w.WriteHeader(http.StatusGone); return true },
		},
		{
			name: "403", max: 10000, requests: 1, wantText: "HTTP 403 Forbidden",
			respond: func(w http.ResponseWriter, n int) bool { w.WriteHeader(http.StatusForbidden); return true },
		},
		{
			name: "Content-Length over bound", max: 9999, requests: 1, wantErr: errTooLarge,
			wantText: "bound of 9999 bytes",
		},
		{
			name: "chunked body over bound", max: 9999, requests: 1, wantErr: errTooLarge,
			wantText: "bound of 9999 bytes",
			respond: func(w http.ResponseWriter, n int) bool {
				w.WriteHeader(http.StatusOK)
				http.NewResponseController(w).Flush()
				w.Write(data)
				return true
			},
		},
		{
			name: "cut body then ok", max: 10000, requests: 2, retries: 1,
			respond: func(w http.ResponseWriter, n int) bool {
				if n == 1 {
					w.Header().Set("Content-Length", strconv.Itoa(len(data)))
					w.Write(data[:100])
					http.NewResponseController(w).Flush()
					panic(http.ErrAbortHandler)
				}
				return false
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			srv := serve(t, func(<-chan struct{}) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					n := rec.record(r)
					if tt.respond != nil && tt.respond(w, n) {
						return
					}
					w.Write(data)
				})
			})
			c := fastClient()
			var retried []int
			c.OnRetry = func(url string, attempt int, err error) {
				if url != srv.URL || err == nil {
					t.Errorf("OnRetry(%q, %d, %v)", url, attempt, err)
				}
				retried = append(retried, attempt)
			}
			got, err := c.Get(context.Background(), srv.URL, tt.max)
			if tt.wantErr == nil && tt.wantText == "" {
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != string(data) {
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
			}
			if n := rec.count(); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if len(retried) != tt.retries {
				t.Errorf("OnRetry called %d times, want %d", len(retried), tt.retries)
			}
			for i, a := range retried {
				if a != i+1 {
					t.Errorf("OnRetry attempts %v", retried)
					break
				}
			}
		})
	}
}

func TestGetRetryAfter(t *testing.T) {
	tests := []struct {
		header  string
		minTime time.Duration
		maxTime time.Duration
	}{
		{"1", time.Second, 5 * time.Second},
		{"120", 0, 5 * time.Second}, // too long: the backoff
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			var rec recorder
			srv := serve(t, func(<-chan struct{}) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if rec.record(r) == 1 {
						w.Header().Set("Retry-After", tt.header)
						w.WriteHeader(http.StatusTooManyRequests)
						return
					}
					w.Write([]byte("ok"))
				})
			})
			start := time.Now()
			got, err := fastClient().Get(context.Background(), srv.URL, 10)
			if err != nil || string(got) != "ok" {
				t.Fatalf("%q, %v", got, err)
			}
			if d := time.Since(start); d < tt.minTime || d > tt.maxTime {
				t.Errorf("took %v, want %v to %v", d, tt.minTime, tt.maxTime)
			}
		})
	}
}

func TestGetStall(t *testing.T) {
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
						w.Header().Set("Content-Length", "1000")
						w.Write([]byte("partial"))
						http.NewResponseController(w).Flush()
					}
					select {
					case <-done:
					case <-r.Context().Done():
					}
				})
			})
			start := time.Now()
			_, err := stallClient().Get(context.Background(), srv.URL, 1000)
			if !errors.Is(err, errStalled) || !strings.Contains(err.Error(), srv.URL) {
				t.Fatalf("error %v, want a stall naming the URL", err)
			}
			if d := time.Since(start); d > stallBound {
				t.Errorf("took %v", d)
			}
			if n := rec.count(); n != 3 {
				t.Errorf("%d requests, want 3", n)
			}
		})
	}
}

func TestGetContextCancelled(t *testing.T) {
	srv := serve(t, func(done <-chan struct{}) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte("partial"))
			http.NewResponseController(w).Flush()
			select {
			case <-done:
			case <-r.Context().Done():
			}
		})
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	c := &Client{StallTimeout: 10 * time.Second}
	start := time.Now()
	_, err := c.Get(ctx, srv.URL, 1000)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestGetConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	retries := 0
	c := fastClient()
	c.OnRetry = func(string, int, error) { retries++ }
	_, err = c.Get(context.Background(), "http://"+addr+"/x", 10)
	if err == nil || !strings.Contains(err.Error(), "giving up after 3 attempts") {
		t.Fatalf("error %v", err)
	}
	if retries != 2 {
		t.Errorf("%d retries, want 2", retries)
	}
}

func TestGetBadArguments(t *testing.T) {
	tests := []struct {
		url string
		max int64
	}{
		{"http://127.0.0.1:1/x", 0},
		{"http://127.0.0.1:1/x", -1},
		{"ftp://127.0.0.1/x", 10},
		{"/relative", 10},
		{"http://[::1", 10},
	}
	for _, tt := range tests {
		if _, err := fastClient().Get(context.Background(), tt.url, tt.max); err == nil {
			t.Errorf("Get(%q, %d): no error", tt.url, tt.max)
		}
	}
}

func TestRequestHeaders(t *testing.T) {
	tests := []struct {
		agent, want string
	}{
		{"", "btfhub"},
		{"btfhub-sync/1", "btfhub-sync/1"},
	}
	for _, tt := range tests {
		srv := serve(t, func(<-chan struct{}) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if ua, ae := r.Header.Get("User-Agent"), r.Header.Get("Accept-Encoding"); ua != tt.want || ae != "identity" {
					t.Errorf("User-Agent %q, Accept-Encoding %q", ua, ae)
				}
				w.Write([]byte("x"))
			})
		})
		c := fastClient()
		c.UserAgent = tt.agent
		if _, err := c.Get(context.Background(), srv.URL, 1); err != nil {
			t.Fatal(err)
		}
		b, err := c.Open(context.Background(), srv.URL, &OpenOptions{Size: 1, SHA256: sumHex([]byte("x"))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(b); err != nil {
			t.Fatal(err)
		}
		b.Close()
	}
}
