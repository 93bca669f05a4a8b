package apt

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/btfhub/btfhub/repo"
	"github.com/ulikunitz/xz"
)

// fetchRelease fetches the Release of the suite whose directory URL is
// dir ("<base>/dists/<suite>") and checks its signature: InRelease, or,
// when the server has none, Release with Release.gpg. It returns the
// Release's text and the URL it came from. With r.NoVerify it checks
// nothing and adds a warning to warn.
func fetchRelease(ctx context.Context, g repo.Getter, r *Repo, dir string, warn func(string)) (text []byte, from string, err error) {
	in := dir + "/InRelease"
	data, err := g.Get(ctx, in, MaxReleaseSize)
	if err == nil {
		if r.NoVerify {
			warn(fmt.Sprintf("%s: signature not checked (verification is off)", in))
			if !bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("-----BEGIN PGP SIGNED MESSAGE-----")) {
				return data, in, nil
			}
			text, err := repo.ClearsignedText(data)
			if err != nil {
				return nil, in, fmt.Errorf("%s: %w", in, err)
			}
			return text, in, nil
		}
		text, _, err := r.Keyring.VerifyClearsigned(data)
		if err != nil {
			return nil, in, fmt.Errorf("%s: %w", in, err)
		}
		return text, in, nil
	}
	if !errors.Is(err, repo.ErrNotFound) {
		return nil, in, fmt.Errorf("%s: %w", in, err)
	}
	plain := dir + "/Release"
	data, err = g.Get(ctx, plain, MaxReleaseSize)
	if err != nil {
		return nil, plain, fmt.Errorf("%s (there is no InRelease): %w", plain, err)
	}
	if r.NoVerify {
		warn(fmt.Sprintf("%s: signature not checked (verification is off)", plain))
		return data, plain, nil
	}
	sig, err := g.Get(ctx, plain+".gpg", MaxReleaseSignatureSize)
	if errors.Is(err, repo.ErrNotFound) {
		return nil, plain, fmt.Errorf("%s: %w: unsigned (neither InRelease nor Release.gpg)", plain, repo.ErrSignature)
	}
	if err != nil {
		return nil, plain, fmt.Errorf("%s.gpg: %w", plain, err)
	}
	if _, err := r.Keyring.VerifyDetached(data, sig); err != nil {
		return nil, plain, fmt.Errorf("%s.gpg: %w", plain, err)
	}
	return data, plain, nil
}

// indexVariants are the forms of a Packages index, in the order of
// preference.
var indexVariants = []string{".xz", ".gz", ""}

// listedIndexes returns the paths, relative to the suite's directory, of
// the Packages indexes of component comp and architecture arch that rel
// lists, in the order of preference: xz, then gzip, then no compression.
func listedIndexes(rel *release, comp, arch string) []string {
	var out []string
	for _, ext := range indexVariants {
		p := comp + "/binary-" + arch + "/Packages" + ext
		if _, ok := rel.files[p]; ok {
			out = append(out, p)
		}
	}
	return out
}

// fetchIndex fetches the index at path (relative to the suite directory
// dir) that rel lists, checks its size and SHA-256, and calls parse with
// a stream of its decompressed content. The stream is bounded by the
// uncompressed index's size when rel lists it (and then checked against
// its SHA-256 at the end), by MaxIndexSize otherwise.
func fetchIndex(ctx context.Context, g repo.Getter, rel *release, dir, path string, parse func(io.Reader, string) error) error {
	url := dir + "/" + path
	want := rel.files[path]
	var data []byte
	if want.size > 0 {
		var err error
		if data, err = g.Get(ctx, url, want.size); err != nil {
			return fmt.Errorf("%s: %w", url, err)
		}
	}
	if int64(len(data)) != want.size {
		return fmt.Errorf("%w: %s: %d bytes, the Release says %d", repo.ErrChecksum, url, len(data), want.size)
	}
	if got := sha256.Sum256(data); hex.EncodeToString(got[:]) != want.sha256 {
		return fmt.Errorf("%w: %s: SHA-256 %x, the Release says %s", repo.ErrChecksum, url, got, want.sha256)
	}
	plain, listed := rel.files[strings.TrimSuffix(strings.TrimSuffix(path, ".xz"), ".gz")]
	var r io.Reader = bytes.NewReader(data)
	switch {
	case strings.HasSuffix(path, ".xz"):
		xr, err := xz.NewReader(r)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", repo.ErrMetadata, url, err)
		}
		r = xr
	case strings.HasSuffix(path, ".gz"):
		gr, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", repo.ErrMetadata, url, err)
		}
		r = gr
	}
	br := &boundedReader{r: r, url: url, left: MaxIndexSize, h: sha256.New()}
	if listed {
		br.left, br.want = plain.size, &plain
	}
	if err := parse(br, url); err != nil {
		return err
	}
	// Read what the parser left (blank lines) to check size and hash.
	if _, err := io.Copy(io.Discard, br); err != nil {
		return err
	}
	return br.check()
}

// boundedReader reads the decompressed content of an index, at most left
// bytes, hashing it. Read errors of the decompressor wrap
// repo.ErrMetadata.
type boundedReader struct {
	r    io.Reader
	url  string
	left int64
	read int64
	h    hash.Hash
	want *fileEntry // the uncompressed index's entry, if listed
	err  error
}

// Read reads from the decompressor.
func (b *boundedReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	b.left -= int64(n)
	b.h.Write(p[:n])
	if b.left < 0 {
		if b.want != nil {
			b.err = fmt.Errorf("%w: %s: decompressed index is larger than the %d bytes the Release gives", repo.ErrChecksum, b.url, b.want.size)
		} else {
			b.err = fmt.Errorf("%w: %s: decompressed index is larger than %d bytes", repo.ErrMetadata, b.url, MaxIndexSize)
		}
		return 0, b.err
	}
	if err != nil && err != io.EOF {
		b.err = fmt.Errorf("%w: %s: decompress: %w", repo.ErrMetadata, b.url, err)
		return n, b.err
	}
	return n, err
}

// check checks, at the end of the content, its size and SHA-256 against
// the uncompressed index's entry, if the Release lists one.
func (b *boundedReader) check() error {
	if b.want == nil {
		return nil
	}
	if b.read != b.want.size {
		return fmt.Errorf("%w: %s: decompressed index is %d bytes, the Release says %d", repo.ErrChecksum, b.url, b.read, b.want.size)
	}
	if got := hex.EncodeToString(b.h.Sum(nil)); got != b.want.sha256 {
		return fmt.Errorf("%w: %s: decompressed index has SHA-256 %s, the Release says %s", repo.ErrChecksum, b.url, got, b.want.sha256)
	}
	return nil
}
