package dedup

import "slices"

// table is the canonical index: a map from a type's signature hash to the
// canonical types that have that hash, tried in the order libbpf tries them.
//
// libbpf keeps the index in its generic hashmap (src/hashmap.c), with the
// 64-bit signature as the key. Entries with equal keys share a bucket chain;
// hashmap__append puts a new entry at the head of the chain, and every time
// the map grows (hashmap_grow, when (size+1)*4/3 exceeds the capacity) each
// chain is rebuilt by walking the old one front to back and pushing onto the
// new one, which reverses the order of entries with equal keys. Which of
// several equivalent candidates dedup picks, and so the output, depends on
// that order, so the table reproduces it: an entry added while the map has
// grown an even number of times goes to the physical front of its key's
// list, one added after an odd number goes to the back, and a lookup walks
// the list front to back when the number of growths is even and back to
// front when it is odd. Each key keeps its even-epoch and odd-epoch entries
// as two doubly linked lists, so either walk needs no scratch space.
//
// The table itself is open addressing over the keys; its own capacity has
// nothing to do with libbpf's, whose growth is only simulated.
type table struct {
	slots []slot
	used  int
	mask  uint64
	shift uint

	ents []entry // entry i is referred to as i+1; 0 means none

	// libbpf hashmap simulation: its size, capacity and number of growths.
	sz, capacity, bits int
	epoch              int
}

type slot struct {
	key  uint64
	head [2]uint32 // newest entry of the even- and odd-epoch lists
	tail [2]uint32 // oldest entry of each list
}

type entry struct {
	id   uint32
	next uint32 // toward older entries of the same list
	prev uint32 // toward newer entries
	// aux is what the adder said about the candidate, to tell without
	// reading its record that it cannot match (see state.enumAux), or
	// where its resolved record is (see state.refType).
	aux uint32
}

const mix = 0x9E3779B97F4A7C15

func newTable(sizeHint int) *table {
	t := &table{}
	n := 16
	for n < 2*sizeHint {
		n <<= 1
	}
	t.resize(n)
	t.ents = make([]entry, 0, n)
	return t
}

func (t *table) resize(n int) {
	old := t.slots
	t.slots = make([]slot, n)
	t.mask = uint64(n - 1)
	t.shift = 64
	for m := n; m > 1; m >>= 1 {
		t.shift--
	}
	for i := range old {
		s := &old[i]
		if s.head[0]|s.head[1] != 0 {
			*t.find(s.key) = *s
		}
	}
}

// find returns the slot for key: the one holding it, or the empty slot
// where it belongs.
func (t *table) find(key uint64) *slot {
	i := (key * mix) >> t.shift
	for {
		s := &t.slots[i]
		if s.head[0]|s.head[1] == 0 || s.key == key {
			return s
		}
		i = (i + 1) & t.mask
	}
}

// add appends id as a candidate for key (libbpf's hashmap__append).
func (t *table) add(key uint64, id uint32) { t.addAux(key, id, auxNone) }

// auxNone is the aux of an entry whose adder had nothing to say.
const auxNone = 1

// addAux is add with the entry's aux.
func (t *table) addAux(key uint64, id, aux uint32) {
	// hashmap_needs_to_grow and hashmap_grow (src/hashmap.c).
	if t.capacity == 0 || (t.sz+1)*4/3 > t.capacity {
		t.bits++
		if t.bits < 2 {
			t.bits = 2
		}
		t.capacity = 1 << t.bits
		t.epoch++
	}
	t.sz++

	if 4*(t.used+1) > 3*len(t.slots) {
		t.resize(2 * len(t.slots))
	}
	s := t.find(key)
	if s.head[0]|s.head[1] == 0 {
		s.key = key
		t.used++
	}
	p := t.epoch & 1
	if len(t.ents) == cap(t.ents) {
		t.ents = slices.Grow(t.ents, len(t.ents)) // double, not a quarter more
	}
	t.ents = append(t.ents, entry{id: id, aux: aux})
	t.link(s, p, uint32(len(t.ents)))
}

// link makes entry e the newest of slot s's list p.
func (t *table) link(s *slot, p int, e uint32) {
	en := &t.ents[e-1]
	en.next, en.prev = s.head[p], 0
	if s.head[p] != 0 {
		t.ents[s.head[p]-1].prev = e
	} else {
		s.tail[p] = e
	}
	s.head[p] = e
}

// rekey moves every entry for which newKey returns true to the key it
// returns, keeping the entry's epoch and its place among the entries of
// its new key: their order is the one libbpf would give them had they
// been added under the new keys, as entries are moved in the order they
// were added. It does not count as adding, for libbpf's growth.
func (t *table) rekey(newKey func(key uint64, id uint32) (uint64, bool)) {
	const moved = 4
	dest := make([]uint64, len(t.ents))
	par := make([]uint8, len(t.ents)) // list | moved
	for i := range t.slots {
		s := &t.slots[i]
		for p := range 2 {
			for e := s.head[p]; e != 0; {
				en := &t.ents[e-1]
				next := en.next
				if k, ok := newKey(s.key, en.id); ok {
					dest[e-1], par[e-1] = k, uint8(p)|moved
					if en.prev != 0 {
						t.ents[en.prev-1].next = en.next
					} else {
						s.head[p] = en.next
					}
					if en.next != 0 {
						t.ents[en.next-1].prev = en.prev
					} else {
						s.tail[p] = en.prev
					}
				}
				e = next
			}
		}
	}
	// Emptied slots would cut the probe sequences through them.
	t.used = 0
	for i := range t.slots {
		if s := &t.slots[i]; s.head[0]|s.head[1] != 0 {
			t.used++
		}
	}
	t.resize(len(t.slots))
	for i, f := range par {
		if f&moved == 0 {
			continue
		}
		if 4*(t.used+1) > 3*len(t.slots) {
			t.resize(2 * len(t.slots))
		}
		s := t.find(dest[i])
		if s.head[0]|s.head[1] == 0 {
			s.key = dest[i]
			t.used++
		}
		t.link(s, int(f&1), uint32(i+1))
	}
}

// cursor walks the candidates of one key in libbpf's order.
type cursor struct {
	t     *table
	cur   uint32
	other uint32 // oldest entry of the second list, walked by prev
	phase int
}

// lookup returns a cursor over the candidates for key.
func (t *table) lookup(key uint64) cursor {
	s := t.find(key)
	if s.head[0]|s.head[1] == 0 {
		return cursor{}
	}
	p := t.epoch & 1
	return cursor{t: t, cur: s.head[p], other: s.tail[1-p]}
}

// next returns the next candidate, or false when there are no more.
func (c *cursor) next() (uint32, bool) {
	id, _, ok := c.nextAux()
	return id, ok
}

// nextAux is next, also returning the candidate's aux.
func (c *cursor) nextAux() (id, aux uint32, ok bool) {
	for {
		if c.cur != 0 {
			e := &c.t.ents[c.cur-1]
			if c.phase == 0 {
				c.cur = e.next
			} else {
				c.cur = e.prev
			}
			return e.id, e.aux, true
		}
		if c.phase != 0 || c.other == 0 {
			return 0, 0, false
		}
		c.phase = 1
		c.cur = c.other
	}
}
