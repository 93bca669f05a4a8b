package fromdwarf

import (
	"fmt"
	"sort"
)

// This file gathers, for one unit, the partial units (DW_TAG_partial_unit)
// that dwz moved its DIEs to: in the same file, or in the supplementary
// file of dwz -m.

// unitSet indexes the units of one file, to find the partial unit that
// holds a DIE.
type unitSet struct {
	d       *dwarfData
	alt     bool   // the supplementary file: DIE offsets carry altOffset
	partial []bool // partial[k] tells whether d.units[k] is a partial unit
}

// unitSets are the units of the input and of its supplementary file.
type unitSets struct {
	main, alt *unitSet
	// partial tells whether there is a partial unit at all: when not,
	// references need not be looked at.
	partial bool
}

func newUnitSets(d *dwarfData) *unitSets {
	s := &unitSets{main: newUnitSet(d, false)}
	if d.alt != nil {
		s.alt = newUnitSet(d.alt, true)
		s.partial = true
	}
	for _, p := range s.main.partial {
		s.partial = s.partial || p
	}
	if s.partial {
		// Partial units are read once per unit that needs them.
		d.abbrevs = newAbbrevCache(d)
		if d.alt != nil {
			d.alt.abbrevs = newAbbrevCache(d.alt)
		}
	}
	return s
}

func newUnitSet(d *dwarfData, alt bool) *unitSet {
	s := &unitSet{d: d, alt: alt, partial: make([]bool, len(d.units))}
	for k := range d.units {
		u := &d.units[k]
		if u.version >= 5 {
			s.partial[k] = u.unitType == utPartial
		} else {
			s.partial[k] = unitTag(d, u) == tagPartialUnit
		}
	}
	return s
}

// of returns the set of the file that offset off (altOffset set for the
// supplementary file) is in, and the offset in that file; nil when there
// is no such file.
func (s *unitSets) of(off uint64) (*unitSet, uint64) {
	if off&altOffset != 0 {
		return s.alt, off &^ altOffset
	}
	return s.main, off
}

// unitTag returns the tag of the DIE of unit u (a DWARF 2-4 unit, whose
// header does not tell), or 0 when it cannot be read. It reads the
// abbreviation table only as far as that DIE's entry.
func unitTag(d *dwarfData, u *unitHeader) uint32 {
	c := &cursor{b: d.info[:u.end], off: int(u.dieOff), bo: d.bo}
	code := c.uleb()
	if c.err != nil || code == 0 || u.abbrevOff >= uint64(len(d.abbrev)) {
		return 0
	}
	a := &cursor{b: d.abbrev, off: int(u.abbrevOff), bo: d.bo}
	for {
		k := a.uleb()
		tag := a.uleb()
		a.u8()
		if a.err != nil || k == 0 {
			return 0
		}
		if k == code {
			return uint32(tag)
		}
		for {
			at, form := a.uleb(), a.uleb()
			if a.err != nil {
				return 0
			}
			if at == 0 && form == 0 {
				break
			}
			if form == formImplicitConst {
				a.sleb()
			}
		}
	}
}

// find returns the index of the unit that holds the DIE at off, or -1.
func (s *unitSet) find(off uint64) int {
	units := s.d.units
	k := sort.Search(len(units), func(i int) bool { return units[i].end > off })
	if k < len(units) && units[k].dieOff <= off {
		return k
	}
	return -1
}

// key returns the key of unit k in importer.loaded: the offset of its DIE,
// with altOffset for the supplementary file.
func (s *unitSet) key(k int) uint64 {
	off := s.d.units[k].dieOff
	if s.alt {
		off |= altOffset
	}
	return off
}

// notLoadable marks, in importer.loaded, a unit that is not a partial
// unit: references into it are not followed.
const notLoadable = -1

// importer gathers the partial units of one unit.
type importer struct {
	c    *cuEnc
	sets *unitSets
	// lo and hi bound the unit being encoded; references inside it need
	// nothing.
	lo, hi uint64
	// loaded maps the key (unitSet.key) of each unit met to the index of
	// its DIE in c.dies, or notLoadable.
	loaded map[uint64]int32
	rooted map[uint64]bool
	// last caches the bounds of the last unit a reference was found in.
	lastLo, lastHi uint64
}

// followImports appends to c.dies the DIEs of the partial units that unit
// u imports (DW_TAG_imported_unit, made by dwz), and of those they import
// in turn, each once; the DIE of each imported unit is a root (c.roots),
// whose children are looked at for functions and variables. pahole 1.24
// stops at such units.
//
// dwz -m also leaves references (DW_FORM_GNU_ref_alt, DW_FORM_ref_sup4/8)
// to DIEs of partial units that no unit imports (libdw resolves them
// whatever the imports, dwarf_formref_die.c): the partial units that the
// DIEs refer to are appended too, transitively, but are not roots.
// References into other compile units (LTO) are left alone; the encoder
// warns about them.
//
// Partial units of the supplementary file are read from its dwarfData,
// their offsets marked with altOffset (rebaseAlt).
func (c *cuEnc) followImports(sets *unitSets, u *unitHeader) error {
	im := importer{c: c, sets: sets, lo: u.off, hi: u.end}
	for i := 0; i < len(c.dies); i++ {
		if c.dies[i].tag == tagImportedUnit {
			if err := im.imported(i); err != nil {
				return err
			}
		}
		if !im.sets.partial {
			continue
		}
		// Loading appends to c.dies: no pointer into it is kept across.
		e := &c.dies[i]
		has := e.has
		if has&(hasType|hasAbstractOrigin|hasSpecification) == 0 {
			continue
		}
		typ, origin, spec := e.typ, e.abstractOrigin, e.specification
		if has&hasType != 0 && im.outside(typ) {
			if err := im.referenced(typ); err != nil {
				return err
			}
		}
		if has&hasAbstractOrigin != 0 && im.outside(origin) {
			if err := im.referenced(origin); err != nil {
				return err
			}
		}
		if has&hasSpecification != 0 && im.outside(spec) {
			if err := im.referenced(spec); err != nil {
				return err
			}
		}
	}
	return nil
}

// outside reports whether off is neither in the unit being encoded nor in
// the unit a reference was last found in.
func (im *importer) outside(off uint64) bool {
	return off-im.lo >= im.hi-im.lo && off-im.lastLo >= im.lastHi-im.lastLo
}

// imported follows the import of DIE c.dies[i].
func (im *importer) imported(i int) error {
	c := im.c
	e := &c.dies[i]
	if !e.is(hasImport) {
		c.warn(i, "imported unit without a usable DW_AT_import not followed")
		return nil
	}
	set, off := im.sets.of(e.importOff)
	if set == nil {
		c.warn(i, "imported unit in a supplementary file, but none is linked; not followed")
		return nil
	}
	k := set.find(off)
	if k < 0 || set.d.units[k].dieOff != off {
		c.warn(i, "imported unit %s is not the start of a unit; not followed", dieOffset(e.importOff))
		return nil
	}
	key := set.key(k)
	if im.rooted[key] {
		return nil
	}
	root, err := im.load(set, k, e.importOff, true)
	if err != nil || root < 0 {
		return err
	}
	if im.rooted == nil {
		im.rooted = map[uint64]bool{}
	}
	im.rooted[key] = true
	c.roots = append(c.roots, root)
	return nil
}

// referenced makes sure that the DIE at off, which a DIE refers to, is
// loaded when it is in a partial unit.
func (im *importer) referenced(off uint64) error {
	set, o := im.sets.of(off)
	if set == nil {
		return nil // ref() warns
	}
	k := set.find(o)
	if k < 0 {
		return nil // ref() warns
	}
	if !set.partial[k] {
		return nil
	}
	if _, err := im.load(set, k, off, false); err != nil {
		return err
	}
	u := &set.d.units[k]
	im.lastLo, im.lastHi = u.off, u.end
	if set.alt {
		im.lastLo |= altOffset
		im.lastHi |= altOffset
	}
	return nil
}

// load appends the DIEs of unit k of set, unless already there, and
// returns the index of the unit's DIE. Unless any, only a partial unit is
// loaded; for another, load returns notLoadable. at, the offset that led
// there, labels errors.
func (im *importer) load(set *unitSet, k int, at uint64, any bool) (int32, error) {
	c := im.c
	key := set.key(k)
	if i, ok := im.loaded[key]; ok && (i != notLoadable || !any) {
		return i, nil
	}
	if im.loaded == nil {
		im.loaded = map[uint64]int32{}
	}
	if !any && !set.partial[k] {
		// A compile unit (LTO): its DIEs are its own.
		im.loaded[key] = notLoadable
		return notLoadable, nil
	}
	dies, _, err := set.d.readUnit(&set.d.units[k], nil)
	if err != nil {
		return 0, &DIEError{CU: c.out.name, CUOffset: c.dies[0].off, Offset: at, Msg: "reading a partial unit", Err: fmt.Errorf("%w: %w", ErrMalformed, err)}
	}
	if len(dies) == 0 {
		// A unit of padding only: no DIE to root or refer to.
		im.loaded[key] = notLoadable
		return notLoadable, nil
	}
	if set.alt {
		rebaseAlt(dies)
	}
	base := int32(len(c.dies))
	for j := range dies {
		dies[j].end += base
	}
	c.dies = append(c.dies, dies...)
	im.loaded[key] = base
	return base, nil
}
