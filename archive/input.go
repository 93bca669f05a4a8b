package archive

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/safefs"
	"github.com/btfhub/btfhub/pkgread"
)

// Encoder produces BTF from the DWARF of a vmlinux that has no .BTF
// section. Package fromdwarf provides one (fromdwarf.VmlinuxEncoder); the
// archive package does not import it, so that reading archives does not
// pull in the DWARF encoder.
type Encoder interface {
	// Name and Version identify the encoder in the catalogue.
	Name() string
	Version() string
	// EncodeVmlinux returns the raw BTF for the vmlinux in elf.
	EncodeVmlinux(elf io.ReaderAt) ([]byte, error)
}

// AltEncoder is an Encoder that reads DWARF compressed with dwz -m, which
// refers to a supplementary file (.gnu_debugaltlink or .debug_sup) that a
// package ships beside the vmlinux (SUSE's kernel-default-debuginfo holds
// /usr/lib/debug/.dwz/kernel-default-VERSION.ARCH). ReadInput passes it
// the vmlinux read out of a package, in memory, with the files of the
// package's .dwz directories and the one at the path the vmlinux's link
// names. fromdwarf.VmlinuxEncoder is one.
type AltEncoder interface {
	Encoder
	// FindAlt returns the key of alts (files of the package, by path)
	// holding the supplementary file that the vmlinux in elf, at path name
	// in the package, links to, or "" when none does or elf has no link.
	FindAlt(elf io.ReaderAt, name string, alts map[string][]byte) string
	// AltPath returns the path in the package that the link of the
	// vmlinux in elf, at path name in the package, names, or "" when elf
	// has no link.
	AltPath(elf io.ReaderAt, name string) string
	// EncodeVmlinuxAlt is EncodeVmlinux for the vmlinux read out of a
	// package into vmlinux, at path name there, whose supplementary file
	// may be one of alts. It may use the buffer's bytes in place, and give
	// back (Discard) the parts it does not read.
	EncodeVmlinuxAlt(vmlinux *pkgread.Buffer, name string, alts map[string][]byte) ([]byte, error)
}

// Encoder names recorded in the catalogue for BTF that was not encoded by
// a DWARF encoder.
const (
	// EncoderVmlinux is the kernel's own .BTF section (encoded by pahole
	// when the kernel was built).
	EncoderVmlinux = "vmlinux"
	// EncoderRaw is BTF given as is.
	EncoderRaw = "raw"
)

// Kernel is the BTF of one kernel, read from an input.
type Kernel struct {
	// Release is the kernel release.
	Release string
	// Source names the input: the package, or the file's name.
	Source string
	// Encoder and EncoderVersion tell where the BTF came from.
	Encoder, EncoderVersion string
	// SourceSHA256 is the SHA-256 of the package the kernel was read
	// from, in lower-case hex, or "" when the input was not a package.
	SourceSHA256 string
	// Raw is the raw BTF.
	Raw []byte
}

// InputOptions tune ReadInput.
type InputOptions struct {
	// Release overrides the release found in the input; it is required
	// for raw BTF.
	Release string
	// Limits bounds what is read from packages.
	Limits pkgread.Limits
	// Encoder encodes BTF from DWARF; without one, a vmlinux without .BTF
	// fails with ErrNoEncoder.
	Encoder Encoder
	// Skip, when set, is called with the package's source name as soon as
	// the package's metadata is read, before its payload is: returning
	// true stops reading, and ReadInput returns ErrSkipped.
	Skip func(source string) bool
	// SkipWithBTF makes a vmlinux that has a .BTF section an error,
	// ErrHasBTF, instead of a kernel: btfhub-archive holds only the
	// kernels that do not describe themselves.
	SkipWithBTF bool
}

// ErrSkipped is returned by ReadInput when InputOptions.Skip asked to skip
// the input.
var ErrSkipped = errors.New("skipped")

// ErrHasBTF is returned for a vmlinux with a .BTF section when
// InputOptions.SkipWithBTF is set.
var ErrHasBTF = errors.New("the kernel has BTF of its own")

var (
	btfMagicLE = []byte{0x9f, 0xeb}
	btfMagicBE = []byte{0xeb, 0x9f}
	xzMagic    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
)

// ReadInput reads the BTF of one kernel from the file at path: a kernel
// debug package (.deb, .ddeb, .rpm, read as a stream), a vmlinux ELF file,
// or raw BTF (optionally xz-compressed). A vmlinux's .BTF section is used
// when present; otherwise the BTF is encoded from DWARF by the encoder.
func ReadInput(path string, opts *InputOptions) (*Kernel, error) {
	var opt InputOptions
	if opts != nil {
		opt = *opts
	}
	f, _, err := safefs.OpenInput(path, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Every byte read through br is hashed: a package is read to its
	// end, so that its checksum can be recorded.
	sum := sha256.New()
	br := bufio.NewReaderSize(io.TeeReader(f, sum), 1<<20)
	magic, _ := br.Peek(8)
	var k *Kernel
	switch {
	case pkgread.Detect(magic) != pkgread.Unknown:
		k, err = readWholePackage(br, path, &opt)
		if err == nil {
			k.SourceSHA256 = hex.EncodeToString(sum.Sum(nil))
		}
	case bytes.HasPrefix(magic, []byte(elf.ELFMAG)):
		k, err = readELF(f, nil, filepath.Base(path), &opt, nil)
	case bytes.HasPrefix(magic, xzMagic):
		var raw []byte
		raw, err = readXZ(br, opt.Limits.MaxEntry)
		if err == nil {
			k, err = rawKernel(raw, path, opt)
		}
	case bytes.HasPrefix(magic, btfMagicLE), bytes.HasPrefix(magic, btfMagicBE):
		var raw []byte
		raw, err = readLimited(br, opt.Limits.MaxEntry)
		if err == nil {
			k, err = rawKernel(raw, path, opt)
		}
	default:
		err = ErrUnknownInput
	}
	if err != nil {
		if errors.Is(err, ErrSkipped) {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return finishKernel(k, path, &opt)
}

// ReadPackage reads the BTF of the kernel in the package that r streams
// (.deb, .ddeb or .rpm), as ReadInput reads a package file; name labels
// errors, and is the source when the package has no metadata. Unless
// opt.Skip skips the package, or reading it fails before the kernel is
// found, r is read to its end, so that a reader that checks a checksum
// at the end of the stream (package fetch's) has checked it when
// ReadPackage returns a kernel or ErrHasBTF. Kernel.SourceSHA256 is left
// to the caller, which knows the checksum it verified.
func ReadPackage(r io.Reader, name string, opt *InputOptions) (*Kernel, error) {
	k, err := readWholePackage(r, name, opt)
	if err != nil {
		if errors.Is(err, ErrSkipped) {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return finishKernel(k, name, opt)
}

// readWholePackage is readPackage, reading r to its end after a kernel
// or ErrHasBTF.
func readWholePackage(r io.Reader, name string, opt *InputOptions) (*Kernel, error) {
	k, err := readPackage(r, name, opt)
	if err == nil || errors.Is(err, ErrHasBTF) {
		if _, derr := io.Copy(io.Discard, r); derr != nil {
			return nil, derr
		}
	}
	return k, err
}

// finishKernel applies opt.Release and checks the release.
func finishKernel(k *Kernel, name string, opt *InputOptions) (*Kernel, error) {
	if opt.Release != "" {
		k.Release = opt.Release
	}
	if !pkgread.ValidRelease(k.Release) {
		return nil, fmt.Errorf("%s: release %q is not usable as a file name", name, k.Release)
	}
	return k, nil
}

// readLimited reads raw BTF from r: its header is checked from the first
// bytes, and exactly the size it declares is read, at most max bytes (0
// means DefaultMaxBTF), so that a stream of zeros fails at once.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxBTF
	}
	data, err := btf.ReadRaw(r, max)
	switch {
	case errors.Is(err, btf.ErrTooLarge):
		return nil, fmt.Errorf("%w (%d bytes): %w", ErrTooLarge, max, err)
	case err != nil:
		return nil, fmt.Errorf("BTF: %w", err)
	}
	return data, nil
}

// readXZ reads xz-compressed raw BTF, as readLimited.
func readXZ(r io.Reader, max int64) ([]byte, error) {
	zr, closer, err := pkgread.NewDecompressor(r)
	if err != nil {
		return nil, err
	}
	defer closer()
	return readLimited(zr, max)
}

// rawKernel names raw BTF by --release, or by the file name without
// .btf and .xz.
func rawKernel(raw []byte, path string, opt InputOptions) (*Kernel, error) {
	base := filepath.Base(path)
	rel := opt.Release
	if rel == "" {
		rel = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(base, ".xz"), ".btf"), ".raw")
	}
	return &Kernel{Release: rel, Source: base, Encoder: EncoderRaw, Raw: raw}, nil
}

// readPackage reads the first vmlinux of a package. When its DWARF must
// be encoded and links to a supplementary file (dwz -m), and the encoder
// is an AltEncoder, the files of the package's .dwz directories, read
// before or after the vmlinux, and the file at the path the link names,
// read after it, are kept (together bounded by opt.Limits.MaxEntry) until
// one is that file, or the package ends.
func readPackage(r io.Reader, path string, opt *InputOptions) (*Kernel, error) {
	p, err := pkgread.Open(r)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	source := p.Source()
	if source == "" {
		source = filepath.Base(path)
	}
	if opt.Skip != nil && opt.Skip(source) {
		return nil, ErrSkipped
	}
	altEnc, _ := opt.Encoder.(AltEncoder)
	var alts map[string][]byte
	var altSize int64
	var held *packageVmlinux // a vmlinux waiting for its supplementary file
	for {
		e, err := p.Next()
		if err == io.EOF {
			if held == nil {
				return nil, pkgread.ErrNoVmlinux
			}
			return held.kernel(opt, alts)
		}
		if err != nil {
			return nil, err
		}
		if !e.IsRegular() {
			continue
		}
		if altEnc != nil && (inDWZDir(e.Name) || held != nil && e.Name == held.altPath) {
			data, err := e.ReadAll(opt.Limits)
			if err != nil {
				return nil, err
			}
			if altSize += int64(len(data)); altSize > maxEntry(opt.Limits) {
				return nil, fmt.Errorf("%s: the supplementary DWARF files: %w (%d bytes in all)", e.Name, pkgread.ErrTooLarge, maxEntry(opt.Limits))
			}
			if alts == nil {
				alts = map[string][]byte{}
			}
			alts[e.Name] = data
			if held != nil && altEnc.FindAlt(bytes.NewReader(held.buf.Bytes()), held.name, alts) != "" {
				return held.kernel(opt, alts)
			}
			continue
		}
		rel, ok := pkgread.VmlinuxRelease(e.Name)
		if !ok || held != nil {
			continue
		}
		// The vmlinux (hundreds of megabytes) is held outside the heap,
		// until its BTF is read or encoded; its first bytes are checked
		// before the rest is read.
		if err := e.CheckELF(opt.Limits); err != nil {
			return nil, err
		}
		buf, err := e.ReadBuffer(opt.Limits)
		if err != nil {
			return nil, err
		}
		defer buf.Close()
		data := buf.Bytes()
		k := &packageVmlinux{name: e.Name, release: rel, source: source, buf: buf}
		if altEnc == nil || !needsAlt(data) || altEnc.FindAlt(bytes.NewReader(data), e.Name, alts) != "" {
			return k.kernel(opt, alts)
		}
		k.altPath = altEnc.AltPath(bytes.NewReader(data), e.Name)
		held = k
	}
}

// packageVmlinux is a vmlinux read out of a package.
type packageVmlinux struct {
	name, release, source string
	buf                   *pkgread.Buffer // the vmlinux
	altPath               string          // where its link says its supplementary file is
}

// kernel returns the BTF of v, encoded with the supplementary files alts
// when it must be encoded.
func (v *packageVmlinux) kernel(opt *InputOptions, alts map[string][]byte) (*Kernel, error) {
	o := *opt
	if o.Release == "" {
		// The package's path names the release: no banner is needed.
		o.Release = v.release
	}
	k, err := readELF(bytes.NewReader(v.buf.Bytes()), v.buf, v.name, &o, alts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", v.name, err)
	}
	k.Release, k.Source = v.release, v.source
	return k, nil
}

// inDWZDir reports whether name is in a .dwz directory, where dwz -m puts
// supplementary files (/usr/lib/debug/.dwz/NAME).
func inDWZDir(name string) bool {
	return strings.Contains("/"+name, "/.dwz/")
}

func maxEntry(l pkgread.Limits) int64 {
	if l.MaxEntry <= 0 {
		return pkgread.DefaultMaxEntry
	}
	return l.MaxEntry
}

// needsAlt reports whether the ELF file data must be encoded from DWARF
// (it has no .BTF) that links to a supplementary file. A file that cannot
// be read does not: reading it again reports what is wrong.
func needsAlt(data []byte) bool {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return false
	}
	return f.Section(btf.SectionBTF) == nil && (f.Section(".gnu_debugaltlink") != nil || f.Section(".debug_sup") != nil)
}

// readELF takes the .BTF section of a vmlinux, or encodes it from DWARF.
// vmlinux holds the vmlinux read out of a package, also r, or is nil for a
// file; alts are the supplementary files of that package; both are given
// to an AltEncoder, which may give back parts of vmlinux, so that
// opt.Release must be set then. The Kernel returned shares no memory with
// vmlinux.
func readELF(r io.ReaderAt, vmlinux *pkgread.Buffer, name string, opt *InputOptions, alts map[string][]byte) (*Kernel, error) {
	k := &Kernel{Source: name, Encoder: EncoderVmlinux}
	raw, err := btf.ReadELFSection(r, btf.SectionBTF)
	switch {
	case err == nil && opt.SkipWithBTF:
		return nil, ErrHasBTF
	case errors.Is(err, btf.ErrNoBTFSection):
		enc := opt.Encoder
		if enc == nil {
			return nil, ErrNoEncoder
		}
		if altEnc, ok := enc.(AltEncoder); ok && vmlinux != nil {
			raw, err = altEnc.EncodeVmlinuxAlt(vmlinux, name, alts)
		} else {
			raw, err = enc.EncodeVmlinux(r)
		}
		if err != nil {
			return nil, fmt.Errorf("encoding BTF from DWARF with %s: %w", enc.Name(), err)
		}
		k.Encoder, k.EncoderVersion = enc.Name(), enc.Version()
	case err != nil:
		return nil, err
	}
	k.Raw = raw
	if opt.Release == "" {
		k.Release = bannerRelease(r)
		if k.Release == "" {
			return nil, errors.New("no kernel release found (no \"Linux version\" banner); give --release")
		}
	}
	return k, nil
}

// bannerRelease finds the release in the kernel's linux_banner ("Linux
// version 6.1.0-53-amd64 (debian-kernel@...) ..."), scanning the file.
func bannerRelease(r io.ReaderAt) string {
	const banner = "Linux version "
	sr := io.NewSectionReader(r, 0, 1<<62)
	buf := make([]byte, 4<<20)
	var off int64
	for {
		n, err := sr.ReadAt(buf, off)
		chunk := buf[:n]
		for i := 0; ; {
			j := bytes.Index(chunk[i:], []byte(banner))
			if j < 0 {
				break
			}
			rest := chunk[i+j+len(banner):]
			if sp := bytes.Index(rest, []byte(" (")); sp > 0 && sp < 256 {
				if rel := string(rest[:sp]); pkgread.ValidRelease(rel) {
					return rel
				}
			}
			i += j + 1
		}
		if err != nil || n < len(buf) {
			return ""
		}
		off += int64(n) - 512 // overlap, so that no banner is cut in two
	}
}
