package rpmmd

import (
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"

	"github.com/btfhub/btfhub/repo"
)

// Bounds on primary.xml. Real metadata stays far below them: Fedora's
// largest primary lists under 100,000 packages, its elements nest five
// deep, and no description comes near a megabyte.
const (
	// maxToken bounds one XML token: a start tag with its attributes, a
	// text run, a comment.
	maxToken = 4 << 20
	// maxDepth bounds element nesting.
	maxDepth = 64
	// maxPackages bounds the <package> elements of one primary.xml.
	maxPackages = 5_000_000
	// maxField bounds the text of one field Discover keeps.
	maxField = 4096
	// ctxEvery is how many packages are read between checks of the
	// context.
	ctxEvery = 1024
)

// xmlNS is the namespace encoding/xml gives the predefined "xml" prefix.
const xmlNS = "http://www.w3.org/XML/1998/namespace"

// rawPackage is a <package type="rpm"> of primary.xml as read, before
// any of it is checked.
type rawPackage struct {
	name, arch            string
	epoch, ver, rel       string
	sumType, sum          string
	size                  string // <size package="...">
	href, base            string // <location href="..." xml:base="...">
	nameSeen, versionSeen bool
}

// errTokenTooLarge is returned for an XML token longer than maxToken.
var errTokenTooLarge = fmt.Errorf("an XML element or text is longer than %d bytes", maxToken)

// tokenReader is the byte source of the XML decoder: it fails once more
// than max bytes are read since the count was last reset, which the
// parser does before each token, so that no token grows past max.
type tokenReader struct {
	br     *bufio.Reader
	n, max int
}

func (t *tokenReader) ReadByte() (byte, error) {
	t.n++
	if t.n > t.max {
		return 0, errTokenTooLarge
	}
	return t.br.ReadByte()
}

func (t *tokenReader) Read(p []byte) (int, error) {
	if left := t.max - t.n; len(p) > left {
		if left <= 0 {
			return 0, errTokenTooLarge
		}
		p = p[:left]
	}
	n, err := t.br.Read(p)
	t.n += n
	return n, err
}

// parsePrimary reads primary.xml from r as a stream of tokens and calls
// fn, after the package's end tag, with each <package type="rpm"> whose
// <name> want accepts; of the other packages it keeps nothing. It
// returns the number of <package> elements read. Errors wrap
// repo.ErrMetadata, except those of fn and of ctx, which are returned as
// they are.
func parsePrimary(ctx context.Context, r io.Reader, want func(name string) bool, fn func(*rawPackage) error) (int, error) {
	tr := &tokenReader{br: bufio.NewReaderSize(r, 64<<10), max: maxToken}
	d := xml.NewDecoder(tr)
	var (
		p      rawPackage
		depth  int
		count  int
		root   bool
		inPkg  bool // inside a <package> being read
		skip   bool // its name is not wanted, or it is not type="rpm"
		field  *string
		posErr = func(msg string) error {
			line, col := d.InputPos()
			return fmt.Errorf("%w: primary.xml line %d column %d: %s", repo.ErrMetadata, line, col, msg)
		}
	)
	for {
		tr.n = 0
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, repo.ErrMetadata) {
				return count, fmt.Errorf("primary.xml: %w", err)
			}
			return count, posErr(err.Error())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxDepth {
				return count, posErr(fmt.Sprintf("elements nest deeper than %d", maxDepth))
			}
			switch {
			case depth == 1:
				if t.Name.Local != "metadata" || !inCommon(t.Name) {
					return count, posErr(fmt.Sprintf("root element is <%s>, not <metadata>", t.Name.Local))
				}
				root = true
			case depth == 2 && t.Name.Local == "package" && inCommon(t.Name):
				count++
				if count > maxPackages {
					return count, posErr(fmt.Sprintf("more than %d packages", maxPackages))
				}
				if count%ctxEvery == 0 {
					if err := ctx.Err(); err != nil {
						return count, err
					}
				}
				p = rawPackage{}
				inPkg, skip = true, attr(t, "", "type") != "rpm"
			case inPkg && !skip && depth == 3 && inCommon(t.Name):
				field = startField(&p, t)
			}
		case xml.EndElement:
			if inPkg && !skip && depth == 3 && field != nil {
				field = nil
				if t.Name.Local == "name" && !want(p.name) {
					skip = true
				}
			}
			if inPkg && depth == 2 {
				inPkg = false
				if !skip && p.nameSeen && want(p.name) {
					if err := fn(&p); err != nil {
						return count, err
					}
				}
			}
			depth--
		case xml.CharData:
			if field != nil {
				if len(*field)+len(t) > maxField {
					return count, posErr(fmt.Sprintf("a package field is longer than %d bytes", maxField))
				}
				*field += string(t)
			}
		}
	}
	if !root {
		return count, fmt.Errorf("%w: primary.xml: no <metadata> element", repo.ErrMetadata)
	}
	return count, nil
}

// startField records what a child element of <package> says in its
// attributes, and returns the field its text goes to, if any.
func startField(p *rawPackage, t xml.StartElement) *string {
	switch t.Name.Local {
	case "name":
		p.name, p.nameSeen = "", true
		return &p.name
	case "arch":
		p.arch = ""
		return &p.arch
	case "checksum":
		p.sumType, p.sum = attr(t, "", "type"), ""
		return &p.sum
	case "version":
		p.epoch, p.ver, p.rel = attr(t, "", "epoch"), attr(t, "", "ver"), attr(t, "", "rel")
		p.versionSeen = true
	case "size":
		p.size = attr(t, "", "package")
	case "location":
		p.href, p.base = attr(t, "", "href"), attr(t, xmlNS, "base")
	}
	return nil
}

// inCommon tells whether an element is in primary.xml's namespace (or,
// leniently, in none).
func inCommon(n xml.Name) bool { return n.Space == nsCommon || n.Space == "" }

// attr returns the value of the attribute space:local of t, or "". Long
// values are cut at maxField bytes, which the checks that follow refuse.
func attr(t xml.StartElement, space, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local && a.Name.Space == space {
			if len(a.Value) > maxField {
				return a.Value[:maxField+1]
			}
			return a.Value
		}
	}
	return ""
}
