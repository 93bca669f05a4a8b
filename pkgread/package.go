package pkgread

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// Format is a package format.
type Format int

// The formats Detect knows.
const (
	Unknown Format = iota
	Deb            // Debian .deb and Ubuntu .ddeb: an ar archive
	RPM            // an RPM package
)

func (f Format) String() string {
	switch f {
	case Deb:
		return "deb"
	case RPM:
		return "rpm"
	}
	return "unknown"
}

// Detect tells the format of a package from its first bytes (8 are
// enough).
func Detect(magic []byte) Format {
	switch {
	case bytes.HasPrefix(magic, []byte(arMagic)):
		return Deb
	case bytes.HasPrefix(magic, rpmLeadMagic):
		return RPM
	}
	return Unknown
}

// Package is a package opened for reading as a stream, positioned at the
// first entry of its payload.
type Package struct {
	// Format is the package's format.
	Format Format
	// Name, Version and Arch are the package's own metadata (the .deb
	// control file, or the RPM header), when it has them.
	Name, Version, Arch string

	next    func() (*Entry, error)
	closers []func()
}

// Open reads a package's metadata from r and positions the package at the
// first file of its payload. r is read sequentially and never seeked.
func Open(r io.Reader) (*Package, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(8)
	p := &Package{Format: Detect(magic)}
	var err error
	switch p.Format {
	case Deb:
		err = openDeb(br, p)
	case RPM:
		err = openRPM(br, p)
	default:
		return nil, fmt.Errorf("%w (magic % x)", ErrUnknownFormat, magic)
	}
	if err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// Next returns the next file of the payload, or io.EOF after the last.
// The previous entry's content is no longer readable.
func (p *Package) Next() (*Entry, error) { return p.next() }

// Close releases the decompressors. It does not close the underlying
// reader.
func (p *Package) Close() error {
	for _, c := range p.closers {
		c()
	}
	p.closers = nil
	return nil
}

// Source names the package as "name_version_arch", the way Debian names
// its files, or "" when the package has no metadata.
func (p *Package) Source() string {
	if p.Name == "" {
		return ""
	}
	return p.Name + "_" + p.Version + "_" + p.Arch
}
