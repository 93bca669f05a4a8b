package apt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/btfhub/btfhub/repo"
)

// Repo is one APT repository.
type Repo struct {
	// URL is the repository's base URL (the "URIs:" of a sources
	// entry), under which dists/ and pool/ are.
	URL string
	// Suites are the suites to read ("bookworm", "bookworm-security").
	Suites []string
	// Components are the components to read; none means "main".
	Components []string
	// Archs are the Debian architectures to read; none means amd64 and
	// arm64, those of them that each suite's Release lists. Only amd64
	// and arm64 have kernel archs in the archive; others are ignored
	// with a warning.
	Archs []string
	// Keyring holds the keys the Release files must be signed by.
	Keyring *repo.Keyring
	// NoVerify turns signature checks off (Index.Warnings then says so).
	// Without it, a nil or empty Keyring is an error.
	NoVerify bool
	// Distro and Version, when set, are the archive key's distro and
	// version, in place of those the Release's Origin and Version give.
	Distro, Version string
}

// defaultArchs are the architectures read when Repo.Archs is empty.
var defaultArchs = []string{"amd64", "arm64"}

// Discover reads each suite's signed Release, then the Packages indexes
// of its components and architectures, and returns the kernel debug
// packages, in the order found: suites in the order given, then
// components, then architectures, then index order. A package found
// again (the same name, version and arch in another suite or component)
// is listed once, where it was first found.
//
// An unsigned Release, or one not signed by a key of r.Keyring, is an
// error wrapping repo.ErrSignature, returned before any index (of any
// suite) is fetched; an index whose size or SHA-256 is not the
// Release's, one wrapping repo.ErrChecksum; unusable metadata, one
// wrapping repo.ErrMetadata. The Getter's errors are returned wrapped, with the
// URL. A component or architecture that a Release does not list, an
// expired Release (Valid-Until) and stanzas passed over are warnings.
func Discover(ctx context.Context, g repo.Getter, r *Repo) (*repo.Index, error) {
	if err := checkRepo(r); err != nil {
		return nil, err
	}
	d := &discovery{
		r: r, base: strings.TrimSuffix(r.URL, "/"), idx: &repo.Index{},
		seen: map[string]bool{}, skips: map[string]bool{}, warned: map[string]bool{}, now: time.Now(),
	}
	// Every Release is checked before any index is fetched.
	var suites []*suiteRelease
	for _, suite := range r.Suites {
		sr, err := d.release(ctx, g, suite)
		if err != nil {
			return nil, err
		}
		suites = append(suites, sr)
	}
	for _, sr := range suites {
		if err := d.indexes(ctx, g, sr); err != nil {
			return nil, err
		}
	}
	return d.idx, nil
}

// checkRepo checks r before anything is fetched.
func checkRepo(r *Repo) error {
	if r == nil {
		return fmt.Errorf("%w: no repository", repo.ErrMetadata)
	}
	u, err := url.Parse(r.URL)
	if err != nil || u.Scheme == "" || u.Host == "" && u.Scheme != "file" {
		return fmt.Errorf("%w: repository URL %q is not an absolute URL", repo.ErrMetadata, r.URL)
	}
	if len(r.Suites) == 0 {
		return fmt.Errorf("%w: %s: no suites", repo.ErrMetadata, r.URL)
	}
	for _, s := range r.Suites {
		if !pathWords(s) {
			return fmt.Errorf("%w: %s: suite %q is not a dists/ suite (flat repositories are not supported)", repo.ErrMetadata, r.URL, s)
		}
	}
	for _, s := range r.Components {
		if !pathWords(s) {
			return fmt.Errorf("%w: %s: bad component %q", repo.ErrMetadata, r.URL, s)
		}
	}
	for _, s := range r.Archs {
		if checkWord(s) != "" {
			return fmt.Errorf("%w: %s: bad architecture %q", repo.ErrMetadata, r.URL, s)
		}
	}
	for _, kv := range [][2]string{{"distro", r.Distro}, {"version", r.Version}} {
		if kv[1] != "" {
			if err := checkKeyPart(kv[0], kv[1]); err != nil {
				return fmt.Errorf("%w: %s: %w", repo.ErrMetadata, r.URL, err)
			}
		}
	}
	if !r.NoVerify && r.Keyring.Len() == 0 {
		return fmt.Errorf("%w: %s: no keyring to check signatures with", repo.ErrSignature, r.URL)
	}
	return nil
}

// pathWords tells whether s is one or more words (see checkWord) joined
// by '/', none of them "." or "..", so that it is safe in a URL path.
func pathWords(s string) bool {
	for _, w := range strings.Split(s, "/") {
		if checkWord(strings.ReplaceAll(w, "_", "-")) != "" || w == "." || w == ".." || !urlSafe(w) {
			return false
		}
	}
	return true
}

// discovery is the state of one Discover call.
type discovery struct {
	r      *Repo
	base   string // r.URL without a trailing '/'
	idx    *repo.Index
	seen   map[string]bool // Source() of the packages listed
	skips  map[string]bool // names of the skipped packages listed
	warned map[string]bool // warnings given once
	now    time.Time
}

// warn adds a warning.
func (d *discovery) warn(s string) { d.idx.Warnings = append(d.idx.Warnings, s) }

// warnOnce adds a warning unless it was given before.
func (d *discovery) warnOnce(s string) {
	if !d.warned[s] {
		d.warned[s] = true
		d.warn(s)
	}
}

// suiteRelease is a suite's verified and parsed Release.
type suiteRelease struct {
	name            string // the suite, as Repo.Suites gives it
	dir             string // <base>/dists/<suite>
	from            string // the URL of its Release or InRelease
	rel             *release
	distro, version string // the archive key's
}

// release fetches, checks and parses one suite's Release.
func (d *discovery) release(ctx context.Context, g repo.Getter, suite string) (*suiteRelease, error) {
	sr := &suiteRelease{name: suite, dir: d.base + "/dists/" + suite}
	text, from, err := fetchRelease(ctx, g, d.r, sr.dir, d.warn)
	if err != nil {
		return nil, err
	}
	sr.from = from
	if sr.rel, err = parseRelease(bytes.NewReader(text), from); err != nil {
		return nil, err
	}
	rel := sr.rel
	if !rel.validUntil.IsZero() && d.now.After(rel.validUntil) {
		d.warn(fmt.Sprintf("%s: expired: Valid-Until %s is past, so the indexes may be stale", from, rel.validUntil.Format(time.RFC1123)))
	}
	if suite != rel.suite && suite != rel.codename {
		d.warn(fmt.Sprintf("%s: Release is of suite %q, codename %q, not %q", from, rel.suite, rel.codename, suite))
	}
	if sr.distro, sr.version, err = d.archiveKey(rel); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", repo.ErrMetadata, from, err)
	}
	return sr, nil
}

// indexes reads the Packages indexes of one suite.
func (d *discovery) indexes(ctx context.Context, g repo.Getter, sr *suiteRelease) error {
	comps := d.r.Components
	if len(comps) == 0 {
		comps = []string{"main"}
	}
	for _, comp := range comps {
		for _, arch := range d.archs(sr.rel, sr.from) {
			paths := listedIndexes(sr.rel, comp, arch)
			if len(paths) == 0 {
				d.warn(fmt.Sprintf("%s: lists no Packages index for %s/binary-%s; skipped", sr.from, comp, arch))
				continue
			}
			origin := fmt.Sprintf("%s %s/%s", d.base, sr.name, comp)
			parse := func(r io.Reader, url string) error {
				return parsePackages(ctx, r, url, d.base, func(c candidate) {
					d.add(c, sr.distro, sr.version, origin)
				})
			}
			// An index the Release lists but the server lacks (Debian
			// lists uncompressed indexes it does not serve) gives way
			// to the next form.
			var err error
			for _, p := range paths {
				if err = fetchIndex(ctx, g, sr.rel, sr.dir, p, parse); !errors.Is(err, repo.ErrNotFound) {
					break
				}
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// archiveKey returns the distro and version the suite's packages go under.
func (d *discovery) archiveKey(rel *release) (distro, version string, err error) {
	distro, version = d.r.Distro, d.r.Version
	if distro == "" {
		distro = distroID(rel.origin)
	}
	if version == "" {
		version = distroVersion(distro, rel.version, rel.codename)
	}
	if err := checkKeyPart("distro (from Origin)", distro); err != nil {
		return "", "", fmt.Errorf("%w; set Repo.Distro", err)
	}
	if err := checkKeyPart("version (from Version or Codename)", version); err != nil {
		return "", "", fmt.Errorf("%w; set Repo.Version", err)
	}
	return distro, version, nil
}

// archs returns the architectures to read in a suite: those of Repo.Archs
// that have a kernel arch, or the default ones; restricted to those the
// Release lists, when it lists any.
func (d *discovery) archs(rel *release, from string) []string {
	explicit := len(d.r.Archs) > 0
	want := d.r.Archs
	if !explicit {
		want = defaultArchs
	}
	var out []string
	for _, a := range want {
		if kernelArch(a) == "" {
			d.warnOnce(fmt.Sprintf("architecture %q has no arch directory in the archive (only amd64 and arm64 have); ignored", a))
			continue
		}
		if len(rel.archs) > 0 && !slices.Contains(rel.archs, a) {
			if explicit {
				d.warn(fmt.Sprintf("%s: does not list architecture %s; skipped", from, a))
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

// add records what one stanza gave.
func (d *discovery) add(c candidate, distro, version, origin string) {
	if c.warning != "" {
		d.warn(c.warning)
	}
	if c.skipped != nil && !d.skips[c.skipped.Name] {
		d.skips[c.skipped.Name] = true
		d.idx.Skipped = append(d.idx.Skipped, *c.skipped)
	}
	if c.pkg == nil {
		return
	}
	p := *c.pkg
	p.KernelArch = kernelArch(p.Arch)
	if p.KernelArch == "" {
		d.warnOnce(fmt.Sprintf("architecture %q has no arch directory in the archive (only amd64 and arm64 have); ignored", p.Arch))
		return
	}
	if d.seen[p.Source()] {
		return
	}
	d.seen[p.Source()] = true
	p.Distro, p.DistroVersion, p.Repo = distro, version, origin
	d.idx.Packages = append(d.idx.Packages, p)
}
