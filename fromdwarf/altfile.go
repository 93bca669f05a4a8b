package fromdwarf

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// altFile is a supplementary DWARF file, loaded.
type altFile struct {
	name    string // where it came from, for errors
	f       *elf.File
	d       *dwarfData
	release func() // unmaps the file, or nil
}

func (a *altFile) close() {
	if a != nil && a.release != nil {
		a.release()
		a.release = nil
	}
}

// debugRoot is where distributions install debug files, and where the
// links of their packages point.
const debugRoot = "/usr/lib/debug"

// altCandidates lists the paths where the supplementary file of link may
// be, in the order they are tried, for the ELF file at elfPath ("" when
// unknown):
//
//  1. a relative link path, relative to the directory of the ELF file (as
//     dwz -r and rpm's find-debuginfo write it);
//  2. an absolute link path (/usr/lib/debug/.dwz/NAME) under the tree the
//     ELF file is in, when that is an unpacked package (its path holds
//     /usr/lib/debug/), then as given;
//  3. the build-id path, /usr/lib/debug/.build-id/xx/yyyy.debug, under
//     that tree, then as given.
//
// elfutils (libdw/dwarf_getalt.c find_debug_altlink) tries the build-id
// path first and the link path second; the link path comes first here
// because it names the file of the same build or package as the ELF file.
// The build-id is checked whichever way the file is found.
func altCandidates(link *AltLink, elfPath string) []string {
	var root string // the tree the ELF file was unpacked in, if any
	if elfPath != "" {
		if abs, err := filepath.Abs(elfPath); err == nil {
			if i := strings.Index(abs, debugRoot+"/"); i > 0 {
				root = abs[:i]
			}
		}
	}
	var paths []string
	add := func(p string) {
		for _, q := range paths {
			if q == p {
				return
			}
		}
		paths = append(paths, p)
	}
	p := filepath.FromSlash(link.Path)
	if filepath.IsAbs(p) {
		if root != "" {
			add(filepath.Join(root, p))
		}
		add(filepath.Clean(p))
	} else if elfPath != "" {
		add(filepath.Join(filepath.Dir(elfPath), p))
	}
	// libdw handles build-ids of 3 to 64 bytes.
	if n := len(link.ID); n >= 3 && n <= 64 {
		id := filepath.Join(debugRoot, ".build-id", fmt.Sprintf("%02x", link.ID[0]), fmt.Sprintf("%x.debug", link.ID[1:]))
		if root != "" {
			add(filepath.Join(root, id))
		}
		add(id)
	}
	return paths
}

// openAlt finds, checks and loads the supplementary file of link for the
// ELF file at elfPath (see Options.AltFile and Options.AltData, then
// altCandidates).
func openAlt(link *AltLink, elfPath string, opts *Options) (*altFile, error) {
	if opts.AltData != nil {
		name := opts.AltFile
		if name == "" {
			name = "Options.AltData"
		}
		return loadAlt(link, name, opts.AltData, nil)
	}
	if opts.AltFile != "" {
		return openAltPath(link, opts.AltFile)
	}
	var tried []string
	var mismatch error
	for _, p := range altCandidates(link, elfPath) {
		a, err := openAltPath(link, p)
		if err == nil {
			return a, nil
		}
		switch {
		case errors.Is(err, fs.ErrNotExist):
			tried = append(tried, p)
		case errors.Is(err, ErrAltMismatch):
			if mismatch == nil {
				mismatch = err
			}
		default:
			return nil, err
		}
	}
	if mismatch != nil {
		return nil, mismatch
	}
	how := ""
	if !filepath.IsAbs(link.Path) && elfPath == "" {
		how = " (the link is relative and the ELF file's directory is unknown)"
	}
	return nil, fmt.Errorf("%w: %s names %q (id %x); tried %s%s; give its path with --alt (Options.AltFile)",
		ErrNoAltFile, link.Section, link.Path, link.ID, strings.Join(quoteAll(tried), ", "), how)
}

func quoteAll(s []string) []string {
	if len(s) == 0 {
		return []string{"nothing"}
	}
	q := make([]string, len(s))
	for i, p := range s {
		q[i] = fmt.Sprintf("%q", p)
	}
	return q
}

// openAltPath opens, maps, checks and loads the supplementary file at
// path. A missing file gives an error wrapping fs.ErrNotExist.
func openAltPath(link *AltLink, path string) (*altFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("supplementary file: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("supplementary file %s: is a directory", path)
	}
	image, unmap := mapFile(f)
	if image == nil {
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(f); err != nil {
			return nil, fmt.Errorf("supplementary file %s: %w", path, err)
		}
		image = buf.Bytes()
	}
	return loadAlt(link, path, image, unmap)
}

// loadAlt checks that image is the supplementary file link names and reads
// its DWARF. release, when not nil, is called when the file is no longer
// used (on error too).
func loadAlt(link *AltLink, name string, image []byte, release func()) (a *altFile, err error) {
	defer func() {
		if err != nil {
			if release != nil {
				release()
			}
			err = fmt.Errorf("supplementary file %s: %w", name, err)
		}
	}()
	f, err := newELF(bytes.NewReader(image))
	if err != nil {
		return nil, err
	}
	if err := link.match(f); err != nil {
		return nil, err
	}
	d, err := loadDWARF(f, image)
	if err != nil {
		return nil, fmt.Errorf("DWARF: %w", err)
	}
	return &altFile{name: name, f: f, d: d, release: release}, nil
}

// rebaseAlt marks the DIEs of a unit read from the supplementary file, and
// their references (into that file too), with altOffset, so that they are
// told apart from the main file's.
//
// Every offset field of die must be handled here.
func rebaseAlt(dies []die) {
	for i := range dies {
		e := &dies[i]
		e.off |= altOffset
		if e.has&hasType != 0 {
			e.typ |= altOffset
		}
		if e.has&hasAbstractOrigin != 0 {
			e.abstractOrigin |= altOffset
		}
		if e.has&hasSpecification != 0 {
			e.specification |= altOffset
		}
		if e.has&hasImport != 0 {
			e.importOff |= altOffset
		}
	}
}

// altString returns the string at off of the supplementary file's
// .debug_str (DW_FORM_GNU_strp_alt, DW_FORM_strp_sup).
func (r *unitReader) altString(c *cursor, off uint64) value {
	if r.d.alt == nil {
		c.fail(fmt.Errorf("string 0x%x of a supplementary file, but none is linked", off))
		return value{}
	}
	s, err := cstrAt(r.d.alt.str, off)
	if err != nil {
		c.fail(fmt.Errorf("supplementary file: %w", err))
	}
	return value{class: clsString, b: s}
}

// dieOffset formats a DIE offset, which may be one of the supplementary
// file (altOffset).
func dieOffset(off uint64) string {
	if off&altOffset != 0 {
		return fmt.Sprintf("0x%x of the supplementary file", off&^altOffset)
	}
	return fmt.Sprintf("0x%x", off)
}
