package rpmmd

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/btfhub/btfhub/repo"
)

// Bounds on what Discover fetches.
const (
	// MaxRepomdSize bounds repodata/repomd.xml.
	MaxRepomdSize = 16 << 20
	// MaxSignatureSize bounds repodata/repomd.xml.asc.
	MaxSignatureSize = 64 << 10
	// MaxPrimarySize bounds the primary metadata file as stored
	// (compressed), whatever size repomd.xml gives.
	MaxPrimarySize = 1 << 30
	// MaxPrimaryOpenSize bounds the primary metadata decompressed, when
	// repomd.xml gives no open-size (which then bounds it).
	MaxPrimaryOpenSize = 4 << 30
)

// Repo is one RPM-MD repository.
type Repo struct {
	// URL is the base URL: the directory holding repodata/.
	URL string
	// Keyring verifies repodata/repomd.xml.asc when the server has one.
	Keyring *repo.Keyring
	// NoVerify turns signature verification off; Index.Warnings then
	// says so.
	NoVerify bool
	// RequireSignature makes a missing repomd.xml.asc an error wrapping
	// repo.ErrSignature; otherwise it is a warning in Index.Warnings.
	RequireSignature bool
	// Distro and Version, when set, are the archive key's distribution
	// (os-release ID: "rhel", "centos") and version ("9") of every
	// package, instead of what the repository's tags or the packages'
	// dist tags tell.
	Distro, Version string
}

// Discover reads the repository's metadata and returns its kernel debug
// packages, in the order the primary metadata lists them.
//
// It fetches repodata/repomd.xml and, unless r.NoVerify, its detached
// signature repomd.xml.asc, which must verify with r.Keyring before
// anything else is fetched; then the primary metadata that repomd.xml
// names, whose size and checksum must be the ones given. Errors wrap the
// Getter's, or repo.ErrSignature, repo.ErrChecksum or repo.ErrMetadata,
// and name the URL at fault.
func Discover(ctx context.Context, g repo.Getter, r *Repo) (*repo.Index, error) {
	if r == nil || r.URL == "" {
		return nil, errors.New("rpmmd: no repository URL")
	}
	for _, s := range []string{r.Distro, r.Version} {
		if s != "" && !validKeyPart(s) {
			return nil, fmt.Errorf("rpmmd %s: distro or version %q is not usable as a directory name", r.URL, s)
		}
	}
	base := strings.TrimSuffix(r.URL, "/")
	mdURL := base + "/repodata/repomd.xml"
	data, err := g.Get(ctx, mdURL, MaxRepomdSize)
	if err != nil {
		return nil, fmt.Errorf("rpmmd %s: %w", mdURL, err)
	}
	idx := &repo.Index{}
	if err := verify(ctx, g, r, mdURL, data, idx); err != nil {
		return nil, err
	}
	md, err := parseRepomd(data)
	if err != nil {
		return nil, fmt.Errorf("rpmmd %s: %w", mdURL, err)
	}
	b := newBuilder(r, base, md.cpes, idx)
	if err := readPrimary(ctx, g, base, &md.primary, b.add); err != nil {
		return nil, err
	}
	b.finish()
	return idx, nil
}

// verify checks repomd.xml against its detached signature.
func verify(ctx context.Context, g repo.Getter, r *Repo, mdURL string, data []byte, idx *repo.Index) error {
	if r.NoVerify {
		idx.Warnings = append(idx.Warnings, fmt.Sprintf("rpmmd %s: signature verification skipped", mdURL))
		return nil
	}
	ascURL := mdURL + ".asc"
	sig, err := g.Get(ctx, ascURL, MaxSignatureSize)
	switch {
	case errors.Is(err, repo.ErrNotFound) && r.RequireSignature:
		return fmt.Errorf("rpmmd %s: repository is not signed and a signature is required: %w", ascURL, repo.ErrSignature)
	case errors.Is(err, repo.ErrNotFound):
		idx.Warnings = append(idx.Warnings, fmt.Sprintf("rpmmd %s: repository is not signed (no repomd.xml.asc), metadata not verified", mdURL))
		return nil
	case err != nil:
		return fmt.Errorf("rpmmd %s: %w", ascURL, err)
	}
	if r.Keyring == nil {
		return fmt.Errorf("rpmmd %s: repository is signed but no keyring was given: %w", ascURL, repo.ErrSignature)
	}
	if _, err := r.Keyring.VerifyDetached(data, sig); err != nil {
		if !errors.Is(err, repo.ErrSignature) {
			err = fmt.Errorf("%w: %w", repo.ErrSignature, err)
		}
		return fmt.Errorf("rpmmd %s: %w", ascURL, err)
	}
	return nil
}

// readPrimary fetches the primary metadata f, checks it, and calls add
// with each package whose name wantName accepts.
func readPrimary(ctx context.Context, g repo.Getter, base string, f *dataFile, add func(*rawPackage) error) error {
	u, err := repo.JoinURL(base, f.href)
	if err != nil {
		return fmt.Errorf("rpmmd %s/repodata/repomd.xml: primary: %w: %w", base, repo.ErrMetadata, err)
	}
	limit := int64(MaxPrimarySize)
	if f.size > limit {
		return fmt.Errorf("rpmmd %s: %w: size %d is more than %d", u, repo.ErrMetadata, f.size, limit)
	}
	if f.size >= 0 {
		limit = f.size
	}
	raw, err := g.Get(ctx, u, limit)
	if err != nil {
		return fmt.Errorf("rpmmd %s: %w", u, err)
	}
	if f.size >= 0 && int64(len(raw)) != f.size {
		return fmt.Errorf("rpmmd %s: %d bytes, repomd.xml says %d: %w", u, len(raw), f.size, repo.ErrChecksum)
	}
	if !f.sum.matches(raw) {
		return fmt.Errorf("rpmmd %s: %s is not the one repomd.xml gives: %w", u, f.sum.typ, repo.ErrChecksum)
	}
	openLimit := int64(MaxPrimaryOpenSize)
	if f.openSize > openLimit {
		return fmt.Errorf("rpmmd %s: %w: open-size %d is more than %d", u, repo.ErrMetadata, f.openSize, openLimit)
	}
	if f.openSize >= 0 {
		openLimit = f.openSize
	}
	zr, err := decompress(f.href, raw, openLimit)
	if err != nil {
		return fmt.Errorf("rpmmd %s: %w", u, err)
	}
	defer zr.Close()
	counter := &countWriter{}
	w := io.Writer(counter)
	var h hash.Hash
	if f.openSum.typ != "" {
		h = f.openSum.newHash()
		w = io.MultiWriter(counter, h)
	}
	tee := io.TeeReader(zr, w)
	if _, err := parsePrimary(ctx, tee, wantName, add); err != nil {
		return fmt.Errorf("rpmmd %s: %w", u, err)
	}
	// Whatever follows the document must still decompress and count.
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return fmt.Errorf("rpmmd %s: %w", u, err)
	}
	if f.openSize >= 0 && counter.n != f.openSize {
		return fmt.Errorf("rpmmd %s: decompresses to %d bytes, repomd.xml says %d: %w", u, counter.n, f.openSize, repo.ErrChecksum)
	}
	if h != nil && !bytes.Equal(h.Sum(nil), f.openSum.sum) {
		return fmt.Errorf("rpmmd %s: decompressed %s is not the open-checksum repomd.xml gives: %w", u, f.openSum.typ, repo.ErrChecksum)
	}
	return nil
}

func (c checksum) newHash() hash.Hash {
	if c.typ == "sha512" {
		return sha512.New()
	}
	return sha256.New()
}

func (c checksum) matches(data []byte) bool {
	if c.typ == "" {
		return false
	}
	h := c.newHash()
	h.Write(data)
	return bytes.Equal(h.Sum(nil), c.sum)
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
