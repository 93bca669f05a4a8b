package fetch

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRedirects(t *testing.T) {
	data := testData(1000, 2)
	tests := []struct {
		name     string
		path     string
		wantText string // "" for success
		requests int
	}{
		{name: "loop A B A", path: "/a", wantText: "redirect loop", requests: 2},
		{name: "self loop", path: "/self", wantText: "redirect loop", requests: 1},
		{name: "10 redirects", path: "/n/10", requests: 11},
		{name: "11 redirects", path: "/n/11", wantText: "more than 10 redirects", requests: 11},
		{name: "endless chain", path: "/n/1000", wantText: "more than 10 redirects", requests: 11},
		{name: "other scheme", path: "/ftp", wantText: `to scheme "ftp"`, requests: 1},
	}
	for _, tt := range tests {
		for _, method := range []string{"Get", "Open"} {
			t.Run(tt.name+"/"+method, func(t *testing.T) {
				var rec recorder
				srv := serve(t, func(<-chan struct{}) http.Handler {
					return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						rec.record(r)
						p := r.URL.Path
						switch {
						case p == "/a":
							http.Redirect(w, r, "/b", http.StatusFound)
						case p == "/b":
							http.Redirect(w, r, "/a", http.StatusMovedPermanently)
						case p == "/self":
							http.Redirect(w, r, "/self", http.StatusTemporaryRedirect)
						case p == "/ftp":
							http.Redirect(w, r, "ftp://example.invalid/x", http.StatusFound)
						case strings.HasPrefix(p, "/n/"):
							n, _ := strconv.Atoi(strings.TrimPrefix(p, "/n/"))
							if n == 0 {
								w.Write(data)
								return
							}
							http.Redirect(w, r, "/n/"+strconv.Itoa(n-1), http.StatusFound)
						}
					})
				})
				start := time.Now()
				var err error
				if method == "Get" {
					var got []byte
					got, err = fastClient().Get(context.Background(), srv.URL+tt.path, 1000)
					if err == nil && string(got) != string(data) {
						t.Errorf("wrong data")
					}
				} else {
					var b *Body
					b, err = fastClient().Open(context.Background(), srv.URL+tt.path,
						&OpenOptions{Size: int64(len(data)), SHA256: sumHex(data)})
					if err == nil {
						b.Close()
					}
				}
				if tt.wantText == "" {
					if err != nil {
						t.Fatal(err)
					}
				} else if err == nil || !strings.Contains(err.Error(), tt.wantText) ||
					!strings.Contains(err.Error(), srv.URL+tt.path) {
					t.Fatalf("error %v, want %q naming the URL", err, tt.wantText)
				}
				if n := rec.count(); n != tt.requests {
					t.Errorf("%d requests, want %d", n, tt.requests)
				}
				if d := time.Since(start); d > 2*time.Second {
					t.Errorf("took %v", d)
				}
			})
		}
	}
}

func TestCheckRedirect(t *testing.T) {
	req := func(s string) *http.Request {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return &http.Request{URL: u}
	}
	chainOf := func(n int) []*http.Request {
		var via []*http.Request
		for i := range n {
			via = append(via, req("https://h/"+strconv.Itoa(i)))
		}
		return via
	}
	tests := []struct {
		name string
		next string
		via  []*http.Request
		want string // "" when allowed
	}{
		{"first", "https://h/x", chainOf(1), ""},
		{"tenth", "https://h/x", chainOf(10), ""},
		{"eleventh", "https://h/x", chainOf(11), "more than 10 redirects"},
		{"http", "http://h/x", chainOf(1), ""},
		{"file", "file:///etc/passwd", chainOf(1), `scheme "file"`},
		{"loop", "https://h/0", chainOf(3), "redirect loop: https://h/0 -> https://h/1 -> https://h/2 -> https://h/0"},
		{"query differs", "https://h/0?x", chainOf(3), ""},
	}
	for _, tt := range tests {
		err := CheckRedirect(req(tt.next), tt.via)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
}
