package apt

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/btfhub/btfhub/repo"
	"github.com/ulikunitz/xz"
)

// server is an APT repository served from a map of files, under /repo/
// (see base), which records the paths it was asked for.
type server struct {
	*httptest.Server
	mu    sync.Mutex
	files map[string][]byte
	asked []string
}

// newServer starts an empty repository server.
func newServer(t testing.TB) *server {
	s := &server{files: map[string][]byte{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		p, under := strings.CutPrefix(r.URL.Path, "/repo/")
		s.asked = append(s.asked, p)
		data, ok := s.files[p]
		ok = ok && under
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(s.Close)
	return s
}

// base is the repository's URL.
func (s *server) base() string { return s.URL + "/repo" }

// askedFor tells whether a path containing part was asked for.
func (s *server) askedFor(part string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.asked {
		if strings.Contains(p, part) {
			return true
		}
	}
	return false
}

// getter is a repo.Getter over net/http: a 404 is repo.ErrNotFound and
// bodies are bounded by max.
type getter struct{}

// Get fetches url.
func (getter) Get(ctx context.Context, url string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
		return nil, fmt.Errorf("%w: %s", repo.ErrNotFound, resp.Status)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return data, nil
}

// Ways a suite's Release is published.
const (
	signInRelease = iota // InRelease, clearsigned
	signDetached         // Release and Release.gpg, no InRelease
	signNone             // InRelease, not signed
	signMissing          // Release without Release.gpg, no InRelease
)

// suiteSpec is one suite to publish.
type suiteSpec struct {
	name string
	// header is the Release's fields before SHA256, one a line.
	header string
	// indexes are the Packages texts, by "<component>/binary-<arch>".
	indexes map[string]string
	// forms are the compressions published: ".xz", ".gz", "" (default
	// ".xz"); the Release also lists the uncompressed index, as
	// Debian's do.
	forms []string
	sign  int
	key   *openpgp.Entity
	// edit, if not nil, changes the Release's text before it is signed.
	edit func(string) string
}

// publish adds the suite's Release and indexes to s.
func (s *server) publish(t testing.TB, spec suiteSpec) {
	t.Helper()
	forms := spec.forms
	if forms == nil {
		forms = []string{".xz"}
	}
	var sums strings.Builder
	paths := make([]string, 0, len(spec.indexes))
	for p := range spec.indexes {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	dir := "dists/" + spec.name + "/"
	for _, p := range paths {
		text := []byte(spec.indexes[p])
		listed := map[string][]byte{p + "/Packages": text}
		for _, f := range forms {
			data := compress(t, f, text)
			listed[p+"/Packages"+f] = data
			s.files[dir+p+"/Packages"+f] = data
		}
		names := make([]string, 0, len(listed))
		for n := range listed {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(&sums, " %x %d %s\n", sha256.Sum256(listed[n]), len(listed[n]), n)
		}
	}
	rel := spec.header + "SHA256:\n" + sums.String()
	if spec.edit != nil {
		rel = spec.edit(rel)
	}
	switch spec.sign {
	case signInRelease:
		s.files[dir+"InRelease"] = clearsignText(t, rel, spec.key)
	case signNone:
		s.files[dir+"InRelease"] = []byte(rel)
	case signDetached:
		s.files[dir+"Release"] = []byte(rel)
		var sig bytes.Buffer
		if err := openpgp.ArmoredDetachSign(&sig, spec.key, strings.NewReader(rel), nil); err != nil {
			t.Fatal(err)
		}
		s.files[dir+"Release.gpg"] = sig.Bytes()
	case signMissing:
		s.files[dir+"Release"] = []byte(rel)
	}
}

// compress compresses data as the form (".xz", ".gz", "") says.
func compress(t testing.TB, form string, data []byte) []byte {
	var buf bytes.Buffer
	var w io.WriteCloser
	var err error
	switch form {
	case "":
		return data
	case ".gz":
		w = gzip.NewWriter(&buf)
	case ".xz":
		w, err = xz.WriterConfig{DictCap: 1 << 16}.NewWriter(&buf)
	}
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// clearsignText clearsigns text with key.
func clearsignText(t testing.TB, text string, key *openpgp.Entity) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := clearsign.Encode(&out, key.PrivateKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, text)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// newKey makes an Ed25519 signing key and a Keyring of its public key.
func newKey(t testing.TB, name string) (*openpgp.Entity, *repo.Keyring) {
	t.Helper()
	e, err := openpgp.NewEntity(name, "", name+"@example.org", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var pub bytes.Buffer
	if err := e.Serialize(&pub); err != nil {
		t.Fatal(err)
	}
	k, err := repo.ReadKeyring(pub.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return e, k
}

// stanza writes a Packages stanza for the package name, with the fields
// extra (lines "Field: value") after the usual ones; an extra field of
// the same name as a usual one replaces it, and "Field:" alone drops it.
func stanza(name, version, arch string, extra ...string) string {
	ext := ".deb"
	if strings.HasSuffix(name, "-dbgsym") {
		ext = ".ddeb"
	}
	fields := [][2]string{
		{"Package", name},
		{"Source", "linux"},
		{"Version", version},
		{"Architecture", arch},
		{"Description", "Debug symbols for " + name},
		{"Section", "debug"},
		{"Filename", "pool/main/l/linux/" + name + "_" + version + "_" + arch + ext},
		{"Size", fmt.Sprint(1000 + len(name))},
		{"SHA256", fmt.Sprintf("%x", sha256.Sum256([]byte(name+version)))},
	}
	for _, e := range extra {
		k, v, _ := strings.Cut(e, ":")
		v = strings.TrimSpace(v)
		found := false
		for i := range fields {
			if fields[i][0] == k {
				fields[i][1], found = v, true
			}
		}
		if !found {
			fields = append(fields, [2]string{k, v})
		}
	}
	var b strings.Builder
	for _, f := range fields {
		if f[1] != "" {
			fmt.Fprintf(&b, "%s: %s\n", f[0], f[1])
		}
	}
	return b.String() + "\n"
}
