package pkgtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Fault, when it returns true, has answered the request itself. hit
// counts the requests for the same path, this one included; data is the
// file the path names (nil when there is none).
type Fault func(w http.ResponseWriter, r *http.Request, hit int, data []byte) bool

// Server serves a repository's files over HTTP on loopback, with Range
// requests and ETags, counts the requests for each path, and lets a test
// inject faults.
type Server struct {
	*httptest.Server

	mu     sync.Mutex
	files  map[string][]byte
	paths  map[string]string
	hits   map[string]int
	faults map[string]Fault
}

// NewServer serves a repository's files (paths without a leading
// slash). Close it when done.
func NewServer(r *Repo) *Server {
	s := &Server{files: r.Files, paths: r.Paths, hits: map[string]int{}, faults: map[string]Fault{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// SetFault installs f for the requests of path whose name ends in
// suffix ("" for all paths); nil removes it.
func (s *Server) SetFault(suffix string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == nil {
		delete(s.faults, suffix)
		return
	}
	s.faults[suffix] = f
}

// SetFile replaces or adds a file.
func (s *Server) SetFile(path string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = data
}

// Hits returns how many requests paths ending in suffix received.
func (s *Server) Hits(suffix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p, h := range s.hits {
		if strings.HasSuffix(p, suffix) {
			n += h
		}
	}
	return n
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, "/")
	s.mu.Lock()
	s.hits[p]++
	hit := s.hits[p]
	data, ok := s.files[p]
	_, onDisk := s.paths[p]
	var fault Fault
	for suffix, f := range s.faults {
		if strings.HasSuffix(p, suffix) {
			fault = f
		}
	}
	s.mu.Unlock()
	if fault != nil && !onDisk && fault(w, r, hit, data) {
		return
	}
	if disk, onDisk := s.paths[p]; onDisk && !ok {
		f, err := os.Open(disk)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		http.ServeContent(w, r, p, time.Unix(0, 0), f)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(data)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	http.ServeContent(w, r, p, time.Unix(0, 0), bytes.NewReader(data))
}

// DirRepo is a repository of the files below dir, served from disk.
func DirRepo(dir string) (*Repo, error) {
	r := &Repo{Files: map[string][]byte{}, Paths: map[string]string{}}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || !fi.Mode().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		r.Paths[filepath.ToSlash(rel)] = p
		return err
	})
	return r, err
}
