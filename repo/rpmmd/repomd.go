package rpmmd

import (
	"bytes"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	"github.com/btfhub/btfhub/repo"
)

// XML namespaces of RPM-MD metadata.
const (
	nsRepo   = "http://linux.duke.edu/metadata/repo"
	nsCommon = "http://linux.duke.edu/metadata/common"
)

// Bounds on what repomd.xml may hold.
const (
	maxDataEntries = 1000
	maxDistroTags  = 100
	maxHref        = 4096
	maxCPE         = 512
)

// repomd is what Discover needs of repomd.xml.
type repomd struct {
	// primary is the <data type="primary"> entry.
	primary dataFile
	// cpes are the cpeid attributes of <tags><distro>, in order.
	cpes []string
}

// dataFile is one <data> entry of repomd.xml.
type dataFile struct {
	href string
	// sum is the checksum of the file as stored (compressed).
	sum checksum
	// openSum is the checksum of the decompressed file; zero when
	// absent or of a weak type, which is then not checked (the file's
	// own checksum already is).
	openSum checksum
	// size and openSize are the stored and decompressed sizes, -1 when
	// absent.
	size, openSize int64
}

// checksum is a digest as RPM-MD metadata gives it.
type checksum struct {
	// typ is "sha256" or "sha512"; empty for none.
	typ string
	// sum is the digest, decoded.
	sum []byte
}

type xmlRepomd struct {
	XMLName xml.Name
	Tags    struct {
		Distro []struct {
			CPE string `xml:"cpeid,attr"`
		} `xml:"distro"`
	} `xml:"tags"`
	Data []xmlData `xml:"data"`
}

type xmlData struct {
	Type     string `xml:"type,attr"`
	Checksum struct {
		Type  string `xml:"type,attr"`
		Value string `xml:",chardata"`
	} `xml:"checksum"`
	OpenChecksum struct {
		Type  string `xml:"type,attr"`
		Value string `xml:",chardata"`
	} `xml:"open-checksum"`
	Location struct {
		Href string `xml:"href,attr"`
	} `xml:"location"`
	Size     string `xml:"size"`
	OpenSize string `xml:"open-size"`
}

// parseRepomd reads repomd.xml. Errors wrap repo.ErrMetadata.
func parseRepomd(data []byte) (*repomd, error) {
	var x xmlRepomd
	d := xml.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(&x); err != nil {
		return nil, fmt.Errorf("%w: repomd.xml: %w", repo.ErrMetadata, err)
	}
	if x.XMLName.Local != "repomd" || (x.XMLName.Space != nsRepo && x.XMLName.Space != "") {
		return nil, fmt.Errorf("%w: repomd.xml: root element is <%s>, not <repomd>", repo.ErrMetadata, x.XMLName.Local)
	}
	if len(x.Data) > maxDataEntries || len(x.Tags.Distro) > maxDistroTags {
		return nil, fmt.Errorf("%w: repomd.xml: %d <data> and %d <distro> elements, more than %d and %d",
			repo.ErrMetadata, len(x.Data), len(x.Tags.Distro), maxDataEntries, maxDistroTags)
	}
	md := &repomd{}
	for _, t := range x.Tags.Distro {
		cpe := strings.TrimSpace(t.CPE)
		if cpe != "" && len(cpe) <= maxCPE {
			md.cpes = append(md.cpes, cpe)
		}
	}
	found := false
	for i := range x.Data {
		if x.Data[i].Type != "primary" {
			continue
		}
		if found {
			return nil, fmt.Errorf("%w: repomd.xml: more than one <data type=\"primary\">", repo.ErrMetadata)
		}
		found = true
		f, err := parseData(&x.Data[i])
		if err != nil {
			return nil, fmt.Errorf("%w: repomd.xml: primary: %w", repo.ErrMetadata, err)
		}
		md.primary = f
	}
	if !found {
		return nil, fmt.Errorf("%w: repomd.xml: no <data type=\"primary\">", repo.ErrMetadata)
	}
	return md, nil
}

func parseData(x *xmlData) (dataFile, error) {
	f := dataFile{href: x.Location.Href}
	if err := checkHref(f.href); err != nil {
		return f, err
	}
	var err error
	if f.sum, err = parseChecksum(x.Checksum.Type, x.Checksum.Value); err != nil {
		return f, fmt.Errorf("checksum: %w", err)
	}
	if f.sum.typ == "" {
		return f, fmt.Errorf("no <checksum>")
	}
	// A weak or malformed open-checksum is not used: the stored file's
	// strong checksum already vouches for what it decompresses to.
	if s, err := parseChecksum(x.OpenChecksum.Type, x.OpenChecksum.Value); err == nil {
		f.openSum = s
	}
	if f.size, err = parseSize(x.Size); err != nil {
		return f, fmt.Errorf("size: %w", err)
	}
	if f.openSize, err = parseSize(x.OpenSize); err != nil {
		return f, fmt.Errorf("open-size: %w", err)
	}
	return f, nil
}

// parseChecksum accepts SHA-256 and SHA-512 digests in hex; an empty
// type and value give the zero checksum.
func parseChecksum(typ, value string) (checksum, error) {
	value = strings.TrimSpace(value)
	if typ == "" && value == "" {
		return checksum{}, nil
	}
	var n int
	switch typ {
	case "sha256":
		n = 32
	case "sha512":
		n = 64
	case "sha", "sha1", "md5", "sha224":
		return checksum{}, fmt.Errorf("weak checksum type %q", typ)
	default:
		return checksum{}, fmt.Errorf("unknown checksum type %q", truncate(typ))
	}
	if len(value) != 2*n {
		return checksum{}, fmt.Errorf("%s checksum %q is not %d hex digits", typ, truncate(value), 2*n)
	}
	sum, err := hex.DecodeString(value)
	if err != nil {
		return checksum{}, fmt.Errorf("%s checksum %q is not hex", typ, truncate(value))
	}
	return checksum{typ: typ, sum: sum}, nil
}

// parseSize parses a decimal size; absent is -1.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return -1, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size", truncate(s))
	}
	return n, nil
}

// checkHref accepts a location that repo.JoinURL will keep inside the
// repository and that names a file, not a query: no control characters,
// spaces, backslashes, "?", "#" or percent-encoded dots and slashes.
func checkHref(href string) error {
	if href == "" {
		return fmt.Errorf("no <location href>")
	}
	if len(href) > maxHref {
		return fmt.Errorf("location href of %d bytes", len(href))
	}
	for _, c := range []byte(href) {
		if c <= ' ' || c >= 0x7f || c == '\\' || c == '?' || c == '#' {
			return fmt.Errorf("location href %q has a forbidden character", truncate(href))
		}
	}
	low := strings.ToLower(href)
	for _, enc := range []string{"%2e", "%2f", "%5c"} {
		if strings.Contains(low, enc) {
			return fmt.Errorf("location href %q encodes a dot or slash", truncate(href))
		}
	}
	if _, err := repo.JoinURL("http://x", href); err != nil {
		return fmt.Errorf("location href: %w", err)
	}
	return nil
}

// truncate shortens s for an error message.
func truncate(s string) string {
	const max = 80
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
