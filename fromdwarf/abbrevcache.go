package fromdwarf

import "sync"

// abbrevCache keeps the abbreviation tables that several units share,
// parsed and compiled once. dwz gives one table to many units, and a unit
// is read again by every unit that imports its partial units: without the
// cache, parsing that table each time takes most of the time of encoding
// a vmlinux compressed by dwz. Units of their own table (gcc and clang
// output) do not use it.
type abbrevCache struct {
	shared map[uint64]bool // offsets of the tables several units use; read-only
	mu     sync.Mutex
	tables map[abbrevKey]*abbrevEntry
}

// abbrevKey identifies a compiled table: its offset, and what compiling
// depends on (abbrevTable.compile).
type abbrevKey struct {
	off      uint64
	version  uint16
	offSize  uint8
	addrSize uint8
}

type abbrevEntry struct {
	once sync.Once
	t    *abbrevTable
	err  error
}

// newAbbrevCache returns a cache for the tables of d that several units
// use, or nil when there is none.
func newAbbrevCache(d *dwarfData) *abbrevCache {
	users := map[uint64]int{}
	for k := range d.units {
		users[d.units[k].abbrevOff]++
	}
	c := &abbrevCache{shared: map[uint64]bool{}, tables: map[abbrevKey]*abbrevEntry{}}
	for off, n := range users {
		if n > 1 {
			c.shared[off] = true
		}
	}
	if len(c.shared) == 0 {
		return nil
	}
	return c
}

// unitAbbrevs returns the compiled abbreviation table of unit u, and
// whether the caller owns it (and puts it back with putAbbrevTable once
// done) rather than sharing it through d's cache.
func (d *dwarfData) unitAbbrevs(u *unitHeader) (t *abbrevTable, owned bool, err error) {
	if c := d.abbrevs; c != nil && c.shared[u.abbrevOff] {
		key := abbrevKey{off: u.abbrevOff, version: u.version, offSize: u.offSize, addrSize: u.addrSize}
		c.mu.Lock()
		e := c.tables[key]
		if e == nil {
			e = &abbrevEntry{}
			c.tables[key] = e
		}
		c.mu.Unlock()
		e.once.Do(func() {
			if e.t, e.err = parseAbbrevs(d.abbrev, u.abbrevOff, d.bo); e.err == nil {
				e.t.compile(u)
			}
		})
		return e.t, false, e.err
	}
	if t, err = parseAbbrevs(d.abbrev, u.abbrevOff, d.bo); err != nil {
		return nil, false, err
	}
	t.compile(u)
	return t, true, nil
}
