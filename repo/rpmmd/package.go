package rpmmd

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/btfhub/btfhub/pkgread"
	"github.com/btfhub/btfhub/repo"
)

// Bounds on packages.
const (
	// MaxPackageSize bounds the size a package may claim.
	MaxPackageSize = 64 << 30
	// maxKernelPackages bounds the kernel debuginfo packages (kept and
	// skipped) of one repository.
	maxKernelPackages = 1_000_000
	// maxOtherArches bounds the arches warned about one by one.
	maxOtherArches = 32
)

// builder turns the packages parsePrimary reads into an Index.
type builder struct {
	r    *Repo
	base string
	keys keyer
	idx  *repo.Index
	seen map[string]bool
	// otherArch counts the kernel debuginfo packages of each arch the
	// archive does not keep.
	otherArch map[string]int
}

func newBuilder(r *Repo, base string, cpes []string, idx *repo.Index) *builder {
	return &builder{r: r, base: base, keys: newKeyer(r, cpes), idx: idx,
		seen: map[string]bool{}, otherArch: map[string]int{}}
}

// add classifies one package; errors name it.
func (b *builder) add(p *rawPackage) error {
	flavour, reason, ok := kernelName(p.name)
	if !ok || p.arch == "src" || p.arch == "nosrc" || p.arch == "noarch" {
		return nil
	}
	if len(b.idx.Packages)+len(b.idx.Skipped) >= maxKernelPackages {
		return fmt.Errorf("%w: more than %d kernel debuginfo packages", repo.ErrMetadata, maxKernelPackages)
	}
	nevra := p.name + "-" + p.ver + "-" + p.rel + "." + p.arch
	if err := checkFields(p); err != nil {
		return fmt.Errorf("%w: package %q: %w", repo.ErrMetadata, truncate(nevra), err)
	}
	karch := kernelArch(p.arch)
	if karch == "" {
		if reason == "" {
			if _, ok := b.otherArch[p.arch]; !ok && len(b.otherArch) >= maxOtherArches {
				p.arch = "(other arches)"
			}
			b.otherArch[p.arch]++
		}
		return nil
	}
	if b.seen[nevra] {
		b.idx.Skipped = append(b.idx.Skipped, repo.Skipped{Name: nevra, Reason: "listed twice"})
		return nil
	}
	b.seen[nevra] = true
	if reason != "" {
		b.idx.Skipped = append(b.idx.Skipped, repo.Skipped{Name: nevra, Reason: reason})
		return nil
	}
	if p.sumType != "sha256" {
		b.idx.Skipped = append(b.idx.Skipped, repo.Skipped{Name: nevra, Reason: "no SHA-256 checksum (" + p.sumType + ")"})
		return nil
	}
	suse := suseStyle(b.keys.distroOf(), flavour, p.rel)
	release := predictRelease(flavour, p.ver, p.rel, p.arch, suse)
	if !pkgread.ValidRelease(release) {
		b.idx.Skipped = append(b.idx.Skipped, repo.Skipped{Name: nevra, Reason: fmt.Sprintf("kernel release %q is not usable as a file name", truncate(release))})
		return nil
	}
	distro, version, err := b.keys.key(nevra, p.rel, suse)
	if err != nil {
		return err
	}
	size, err := strconv.ParseInt(p.size, 10, 64)
	if err != nil || size <= 0 || size > MaxPackageSize {
		return fmt.Errorf("%w: package %s: size %q is not a package size", repo.ErrMetadata, nevra, truncate(p.size))
	}
	base := b.base
	if p.base != "" {
		if !strings.HasPrefix(p.base, "http://") && !strings.HasPrefix(p.base, "https://") {
			return fmt.Errorf("%w: package %s: xml:base %q is not an HTTP URL", repo.ErrMetadata, nevra, truncate(p.base))
		}
		base = p.base
	}
	if err := checkHref(p.href); err != nil {
		return fmt.Errorf("%w: package %s: %w", repo.ErrMetadata, nevra, err)
	}
	u, err := repo.JoinURL(base, p.href)
	if err != nil {
		return fmt.Errorf("%w: package %s: %w", repo.ErrMetadata, nevra, err)
	}
	b.idx.Packages = append(b.idx.Packages, repo.Package{
		Name:          p.name,
		Version:       p.ver + "-" + p.rel,
		Arch:          p.arch,
		URL:           u,
		Size:          size,
		SHA256:        strings.ToLower(p.sum),
		Distro:        distro,
		DistroVersion: version,
		KernelArch:    karch,
		Release:       release,
		Repo:          b.r.URL,
	})
	return nil
}

// checkFields checks the fields that become parts of names and paths,
// and the checksum.
func checkFields(p *rawPackage) error {
	if !p.versionSeen || p.ver == "" || p.rel == "" {
		return fmt.Errorf("no <version ver rel>")
	}
	for _, f := range []struct{ what, s, extra string }{
		{"name", p.name, "-+"},
		{"version", p.ver, "+~^"},
		{"release", p.rel, "+~^"},
		{"arch", p.arch, ""},
	} {
		if !validPart(f.s, f.extra) {
			return fmt.Errorf("%s %q has a character RPM does not allow there", f.what, truncate(f.s))
		}
	}
	p.sum = strings.TrimSpace(p.sum)
	switch p.sumType {
	case "sha", "sha1", "md5", "sha224":
		return fmt.Errorf("weak checksum type %q", p.sumType)
	case "sha256", "sha512":
		if _, err := parseChecksum(p.sumType, p.sum); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown checksum type %q", truncate(p.sumType))
	}
	return nil
}

// validPart tells whether s is 1 to 256 letters, digits, "._" and the
// characters of extra.
func validPart(s, extra string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_':
		case strings.IndexByte(extra, c) >= 0:
		default:
			return false
		}
	}
	return true
}

// finish adds the warnings about packages passed over.
func (b *builder) finish() {
	arches := make([]string, 0, len(b.otherArch))
	for a := range b.otherArch {
		arches = append(arches, a)
	}
	sort.Strings(arches)
	for _, a := range arches {
		b.idx.Warnings = append(b.idx.Warnings, fmt.Sprintf("rpmmd %s: %d kernel debuginfo packages for arch %s ignored: the archive keeps x86_64 and arm64 only",
			b.base, b.otherArch[a], a))
	}
}
