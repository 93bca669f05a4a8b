package pkgread

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

const arMagic = "!<arch>\n"

// arHeaderSize is the size of an ar member header.
const arHeaderSize = 60

// arReader walks the members of an ar archive (the container of .deb and
// .ddeb files).
type arReader struct {
	r      io.Reader
	remain int64 // bytes left in the current member
	pad    int64 // padding after the current member
}

// next skips the rest of the current member and returns the next
// member's name and size.
func (a *arReader) next() (string, int64, error) {
	if _, err := io.CopyN(io.Discard, a.r, a.remain+a.pad); err != nil {
		return "", 0, cut("ar", "member", err)
	}
	var h [arHeaderSize]byte
	n, err := io.ReadFull(a.r, h[:])
	if n == 0 && err == io.EOF {
		return "", 0, io.EOF
	}
	if err != nil {
		return "", 0, cut("ar", "member header", err)
	}
	if h[58] != '`' || h[59] != '\n' {
		return "", 0, fmt.Errorf("ar: %w: bad member header magic", ErrFormat)
	}
	name := strings.TrimRight(string(h[0:16]), " ")
	name = strings.TrimSuffix(name, "/") // GNU ar
	size, err := strconv.ParseInt(strings.TrimSpace(string(h[48:58])), 10, 64)
	if err != nil || size < 0 {
		return "", 0, fmt.Errorf("ar: member %q: %w: bad size %q", name, ErrFormat, strings.TrimSpace(string(h[48:58])))
	}
	a.remain, a.pad = size, size&1
	return name, size, nil
}

// Read reads the current member's content.
func (a *arReader) Read(p []byte) (int, error) {
	if a.remain <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > a.remain {
		p = p[:a.remain]
	}
	n, err := a.r.Read(p)
	a.remain -= int64(n)
	if err == io.EOF && a.remain > 0 {
		err = fmt.Errorf("ar: %w: member truncated", ErrFormat)
	}
	return n, err
}

// maxControl bounds the control member of a .deb.
const maxControl = 16 << 20

// openDeb reads a .deb or .ddeb up to its data member: the control file
// gives the package's name, version and architecture.
func openDeb(r io.Reader, p *Package) error {
	var magic [len(arMagic)]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil || string(magic[:]) != arMagic {
		return fmt.Errorf("deb: %w: no ar magic", ErrFormat)
	}
	a := &arReader{r: r}
	for {
		name, size, err := a.next()
		if err == io.EOF {
			return fmt.Errorf("deb: %w: no data.tar member", ErrFormat)
		}
		if err != nil {
			return fmt.Errorf("deb: %w", err)
		}
		switch {
		case name == "debian-binary":
			if size > 64 {
				return fmt.Errorf("deb: %w: debian-binary of %d bytes", ErrFormat, size)
			}
			v, _ := io.ReadAll(a)
			if !bytes.HasPrefix(v, []byte("2.")) {
				return fmt.Errorf("deb: %w: unsupported format version %q", ErrFormat, bytes.TrimSpace(v))
			}
		case strings.HasPrefix(name, "control.tar"):
			if size > maxControl {
				return fmt.Errorf("deb: %s: %w (%d bytes)", name, ErrTooLarge, size)
			}
			if err := readDebControl(a, name, p); err != nil {
				return err
			}
		case strings.HasPrefix(name, "data.tar"):
			zr, closer, err := decompress(a, "")
			if err != nil {
				return fmt.Errorf("deb: %s: %w", name, err)
			}
			p.closers = append(p.closers, closer)
			p.next = tarEntries(zr, "deb: "+name)
			return nil
		}
	}
}

// readDebControl parses the control file inside control.tar.*.
func readDebControl(r io.Reader, member string, p *Package) error {
	zr, closer, err := decompress(r, "")
	if err != nil {
		return fmt.Errorf("deb: %s: %w", member, err)
	}
	defer closer()
	next := tarEntries(zr, "deb: "+member)
	for {
		e, err := next()
		if err == io.EOF {
			return fmt.Errorf("deb: %s: %w: no control file", member, ErrFormat)
		}
		if err != nil {
			return err
		}
		if e.Name != "control" {
			continue
		}
		data, err := e.ReadAll(Limits{MaxEntry: maxControl})
		if err != nil {
			return fmt.Errorf("deb: %s: %w", member, err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, maxControl)
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if !ok || strings.HasPrefix(k, " ") {
				continue
			}
			v = strings.TrimSpace(v)
			switch k {
			case "Package":
				p.Name = v
			case "Version":
				p.Version = v
			case "Architecture":
				p.Arch = v
			}
		}
		// Drain the rest of the member so that the ar reader is in step.
		io.Copy(io.Discard, zr)
		return nil
	}
}
