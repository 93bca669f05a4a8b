package archive

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/pkgread"
)

// DefaultMaxBTF bounds the raw BTF read from a tarball or a pack: 64 MiB,
// ten times the largest vmlinux BTF (about 6 MB). ReadTarball takes a
// larger bound.
const DefaultMaxBTF = 64 << 20

// TarballBytes returns raw BTF as btfhub-archive stores it: an
// xz-compressed tar holding one regular file, <release>.btf. The tar is
// deterministic: the entry has mode 0644, owner root (0/0), modification
// time zero, GNU format as GNU tar writes it.
func TarballBytes(release string, raw []byte) ([]byte, error) {
	var tbuf bytes.Buffer
	tbuf.Grow(len(raw) + 2048)
	tw := tar.NewWriter(&tbuf)
	h := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     release + ".btf",
		Mode:     0o644,
		Size:     int64(len(raw)),
		Uname:    "root",
		Gname:    "root",
		ModTime:  time.Unix(0, 0),
		Format:   tar.FormatGNU,
	}
	if err := tw.WriteHeader(h); err != nil {
		return nil, err
	}
	if _, err := tw.Write(raw); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return compressXZ(tbuf.Bytes())
}

// ReadTarball reads a btfhub-archive tarball (xz-compressed tar) and
// returns the name and content of the one BTF file it holds. It rejects,
// with an error wrapping ErrUnsafe, ErrTooLarge or ErrCorrupt: entries
// with absolute paths, "..", directories in the name, links and other
// non-regular files; more than one file; a file larger than max bytes
// (0 means DefaultMaxBTF); a file whose first bytes are not a BTF header
// declaring the file's size (checked before the rest is read); truncated
// or corrupt xz or tar. The file is read into one allocation of its size.
func ReadTarball(r io.Reader, max int64) (name string, raw []byte, err error) {
	if max <= 0 {
		max = DefaultMaxBTF
	}
	br := &peekReader{r: r}
	if !br.hasPrefix([]byte{0xfd, '7', 'z', 'X', 'Z', 0x00}) {
		return "", nil, fmt.Errorf("%w: not an xz stream", ErrCorrupt)
	}
	zr, closer, err := pkgread.NewDecompressor(br)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	defer closer()
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		if err := checkTarEntry(h); err != nil {
			return "", nil, err
		}
		if raw != nil {
			return "", nil, fmt.Errorf("%w: %q after %q: a tarball holds one file", ErrUnsafe, h.Name, name)
		}
		if h.Size > max {
			return "", nil, fmt.Errorf("%s: %d bytes: %w (%d)", h.Name, h.Size, ErrTooLarge, max)
		}
		data, err := readTarBTF(tr, h)
		if err != nil {
			return "", nil, err
		}
		name, raw = path.Clean(h.Name), data
	}
	// Read to the end of the xz stream, so that its checksum is verified.
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return "", nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if raw == nil {
		return "", nil, fmt.Errorf("%w: no file in the tarball", ErrCorrupt)
	}
	return name, raw, nil
}

// readTarBTF reads the BTF of the tar entry h from tr into one allocation
// of the entry's size, after checking from its first bytes that it is BTF
// whose header declares that size.
func readTarBTF(tr io.Reader, h *tar.Header) ([]byte, error) {
	var head [btf.HeaderLen]byte
	n, err := io.ReadFull(tr, head[:min(h.Size, btf.HeaderLen)])
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", h.Name, ErrCorrupt, err)
	}
	size, err := btf.PrefixSize(head[:n])
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", h.Name, ErrCorrupt, err)
	}
	if size != h.Size {
		return nil, fmt.Errorf("%s: %w: the BTF header declares %d bytes, the entry has %d", h.Name, ErrCorrupt, size, h.Size)
	}
	data := make([]byte, h.Size)
	copy(data, head[:n])
	if _, err := io.ReadFull(tr, data[n:]); err != nil {
		return nil, fmt.Errorf("%s: %w: %w", h.Name, ErrCorrupt, err)
	}
	return data, nil
}

// checkTarEntry accepts a regular file with a plain, relative name ending
// in .btf ("./" in front is tolerated).
func checkTarEntry(h *tar.Header) error {
	switch h.Typeflag {
	case tar.TypeReg:
	case tar.TypeSymlink, tar.TypeLink:
		return fmt.Errorf("%w: %q is a link to %q", ErrUnsafe, h.Name, h.Linkname)
	default:
		return fmt.Errorf("%w: %q is not a regular file (type %q)", ErrUnsafe, h.Name, h.Typeflag)
	}
	name := strings.TrimPrefix(h.Name, "./")
	switch {
	case strings.HasPrefix(name, "/"):
		return fmt.Errorf("%w: %q is an absolute path", ErrUnsafe, h.Name)
	case name == ".." || strings.HasPrefix(name, "../") || strings.Contains(name, "/../") || strings.HasSuffix(name, "/.."):
		return fmt.Errorf("%w: %q has a \"..\" component", ErrUnsafe, h.Name)
	case strings.ContainsAny(name, "/\\\x00"):
		return fmt.Errorf("%w: %q is not a plain file name", ErrUnsafe, h.Name)
	case !strings.HasSuffix(name, ".btf") || !pkgread.ValidRelease(strings.TrimSuffix(name, ".btf")):
		return fmt.Errorf("%w: %q is not named <release>.btf", ErrUnsafe, h.Name)
	case h.Size < 0:
		return fmt.Errorf("%w: %q has a negative size", ErrCorrupt, h.Name)
	}
	return nil
}

// peekReader lets ReadTarball check the magic without losing bytes.
type peekReader struct {
	r   io.Reader
	buf []byte
}

func (p *peekReader) hasPrefix(magic []byte) bool {
	b := make([]byte, len(magic))
	n, err := io.ReadFull(p.r, b)
	p.buf = b[:n]
	return err == nil && bytes.Equal(b, magic)
}

func (p *peekReader) Read(b []byte) (int, error) {
	if len(p.buf) > 0 {
		n := copy(b, p.buf)
		p.buf = p.buf[n:]
		return n, nil
	}
	return p.r.Read(b)
}
