package fromdwarf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/btfhub/btfhub/internal/safefs"
	"github.com/btfhub/btfhub/pkgread"
)

// This file reads the ELF debug files to encode (the vmlinux, modules) out
// of a kernel debug package, with the supplementary DWARF file (dwz -m)
// that their DWARF refers to, which the same package holds: SUSE's
// kernel-default-debuginfo has /usr/lib/debug/.dwz/kernel-default-VERSION.ARCH.

// PackageELF is an ELF file read out of a package, with the supplementary
// DWARF file that its DWARF links to when the package holds it.
type PackageELF struct {
	// Name is the file's path in the package.
	Name string
	// Data is the file's contents, except that the contents of the
	// sections encoding does not read (code, data, line tables, location
	// lists, the relocations of a linked file) may have been given back to
	// the system and read as zeros. Data and AltData are only valid until
	// the function ScanPackage passed them to returns.
	Data []byte
	// AltData is the supplementary file (dwz -m) that the file's DWARF
	// links to, found in the package, or nil; AltName is its path there.
	AltData []byte
	AltName string

	buf *pkgread.Buffer // holds Data
}

// Options returns a copy of opts with the supplementary file of e, when
// the package holds it, as Options.AltData and Options.AltFile.
func (e *PackageELF) Options(opts Options) *Options {
	if e.AltData != nil {
		opts.AltData, opts.AltFile = e.AltData, e.AltName
	}
	return &opts
}

// PackageOptions tune ScanPackage.
type PackageOptions struct {
	// Limits bounds each file read into memory.
	Limits pkgread.Limits
	// NoAlt turns off the search of supplementary files in the package:
	// for when Options.AltFile gives the file.
	NoAlt bool
}

// errStopScan, returned by the function ScanPackage calls, ends the scan
// without an error.
var errStopScan = errors.New("stop the package scan")

// inDWZDir reports whether name is in a .dwz directory, where dwz -m files
// go (/usr/lib/debug/.dwz/NAME).
func inDWZDir(name string) bool {
	return strings.Contains("/"+name, "/.dwz/")
}

// ScanPackageFile is ScanPackage of the package file at path; errors
// reading it name path.
func ScanPackageFile(path string, opts *PackageOptions, want func(name string) bool, use func(*PackageELF) error) error {
	var opt PackageOptions
	if opts != nil {
		opt = *opts
	}
	f, _, err := safefs.OpenInput(path, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return ScanPackage(f, path, &opt, want, use)
}

// ScanPackage reads the kernel debug package (.deb, .ddeb, .rpm) in r
// once, as a stream, and calls use with each regular file whose path want
// accepts, in package order. Errors reading the package are prefixed with
// name; those of use are returned as they are. (Within this package, use
// may return errStopScan to end the scan without an error.)
//
// Unless opt.NoAlt is set, the supplementary DWARF file (dwz -m) that such
// a file's DWARF links to (ReadAltLink) is looked for in the package: at
// the path the link names (relative to the file's directory when
// relative), or in a .dwz directory with the link's build-id. A file whose
// supplementary file comes later in the package is held until that file
// is read; one whose supplementary file the package lacks is passed to use
// at the end, without it (Encode then looks for it on this system, or
// says where it looked).
func ScanPackage(r io.Reader, name string, opts *PackageOptions, want func(name string) bool, use func(*PackageELF) error) error {
	var opt PackageOptions
	if opts != nil {
		opt = *opts
	}
	p, err := pkgread.Open(r)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer p.Close()
	findAlt := !opt.NoAlt
	alts := map[string][]byte{} // candidate supplementary files read so far, by path
	linked := map[string]bool{} // paths that the links of held files name
	var pending []*PackageELF   // files waiting for their supplementary file
	var links []*AltLink        // their links
	// Large files are held outside the Go heap (pkgread.Buffer), and
	// released once used; the supplementary files at the end of the scan.
	var altBufs []*pkgread.Buffer
	defer func() {
		for _, b := range altBufs {
			b.Close()
		}
		for _, pe := range pending {
			pe.buf.Close()
		}
	}()
	use = usedOnce(use)
	for {
		e, err := p.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if !e.IsRegular() {
			continue
		}
		isAlt := findAlt && (inDWZDir(e.Name) || linked[e.Name])
		if !isAlt && !want(e.Name) {
			continue
		}
		// An ELF file, checked from its first bytes before the rest is
		// read: a package can declare gigabytes of anything. A file of
		// a .dwz directory that is not one cannot be a supplementary
		// file, and is passed over.
		if err := e.CheckELF(opt.Limits); err != nil {
			if errors.Is(err, pkgread.ErrNotELF) && isAlt && !want(e.Name) {
				continue
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		buf, err := e.ReadBuffer(opt.Limits)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		data := buf.Bytes()
		if isAlt {
			altBufs = append(altBufs, buf)
			alts[e.Name] = data
			// Files waiting for a supplementary file may have it now.
			kept, keptLinks := pending[:0], links[:0]
			for i, pe := range pending {
				if pe.resolve(links[i], alts) {
					if err := use(pe); err != nil {
						return stopped(err)
					}
					continue
				}
				kept, keptLinks = append(kept, pe), append(keptLinks, links[i])
			}
			pending, links = kept, keptLinks
			if !want(e.Name) {
				continue
			}
		}
		pe := &PackageELF{Name: e.Name, Data: data}
		if !isAlt {
			// A supplementary file that want asks for too stays the
			// scan's: the files that link to it read it after this one.
			discardUnread(buf)
			pe.buf = buf
		}
		var link *AltLink
		if findAlt {
			// An ELF file that cannot be read has no link: encoding it
			// reports what is wrong.
			link, _ = ReadAltLink(bytes.NewReader(data))
		}
		if link == nil || pe.resolve(link, alts) {
			if err := use(pe); err != nil {
				return stopped(err)
			}
			continue
		}
		linked[packageLinkPath(pe.Name, link)] = true
		pending, links = append(pending, pe), append(links, link)
	}
	for len(pending) > 0 {
		pe := pending[0]
		pending = pending[1:]
		if err := use(pe); err != nil {
			return stopped(err)
		}
	}
	return nil
}

// usedOnce wraps the use function of ScanPackage so that the memory of
// each file is released when use returns.
func usedOnce(use func(*PackageELF) error) func(*PackageELF) error {
	return func(pe *PackageELF) error {
		defer pe.release()
		return use(pe)
	}
}

// release gives back the memory of e's contents; Data is nil afterwards.
func (e *PackageELF) release() {
	e.buf.Close()
	e.Data, e.AltData = nil, nil
}

// discardUnread gives back to the system the memory of the parts of the
// ELF file in buf that encoding does not read (unreadRanges). It does
// nothing when buf is in the heap, or not an ELF file.
func discardUnread(buf *pkgread.Buffer) {
	f, err := newELF(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return // encoding reports it
	}
	for _, r := range unreadRanges(f, buf.Bytes()) {
		buf.Discard(int64(r[0]), int64(r[1]-r[0]))
	}
}

func stopped(err error) error {
	if err == errStopScan {
		return nil
	}
	return err
}

// packageLinkPath returns the path in the package that link, read from the
// file at name in the package, names.
func packageLinkPath(name string, link *AltLink) string {
	p := link.Path
	if !path.IsAbs(p) {
		p = path.Join(path.Dir("/"+name), p)
	}
	return strings.TrimPrefix(path.Clean("/"+p), "/")
}

// resolve finds the supplementary file of e among alts, and reports
// whether it did.
func (e *PackageELF) resolve(link *AltLink, alts map[string][]byte) bool {
	if p := findPackageAlt(link, e.Name, alts); p != "" {
		e.AltData, e.AltName = alts[p], p
		return true
	}
	return false
}

// findPackageAlt returns the key of alts (files of a package, by path)
// that is the supplementary file of link, read from the file at name in
// the package: the file at the link's path, or one in a .dwz directory
// with the link's build-id (the first in path order). It returns "" when
// none is.
func findPackageAlt(link *AltLink, name string, alts map[string][]byte) string {
	if p := packageLinkPath(name, link); alts[p] != nil && link.Match(bytes.NewReader(alts[p])) == nil {
		return p
	}
	if len(link.ID) == 0 {
		return ""
	}
	names := make([]string, 0, len(alts))
	for n := range alts {
		if inDWZDir(n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if link.Match(bytes.NewReader(alts[n])) == nil {
			return n
		}
	}
	return ""
}

// ReadPackageVmlinux reads the first vmlinux of the package file at path
// (pkgread.VmlinuxRelease), with its supplementary file (see ScanPackage),
// and calls use with it; the file's memory is released when use returns.
// A package without one gives an error wrapping pkgread.ErrNoVmlinux.
func ReadPackageVmlinux(path string, opts *PackageOptions, use func(*PackageELF) error) error {
	var opt PackageOptions
	if opts != nil {
		opt = *opts
	}
	found := false
	err := ScanPackageFile(path, &opt, func(name string) bool {
		_, ok := pkgread.VmlinuxRelease(name)
		return ok
	}, func(e *PackageELF) error {
		found = true
		if err := use(e); err != nil {
			return err
		}
		return errStopScan
	})
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%s: %w", path, pkgread.ErrNoVmlinux)
	}
	return nil
}
