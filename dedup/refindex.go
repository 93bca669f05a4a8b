package dedup

import "slices"

// refIndex is the index of reference types for a spec without a base (see
// state.refTab): at most one candidate can match, so candidates need no
// order, and a plain open-addressing table, whose slots hold the key, the
// id and where the resolved record is, finds one in a cache line or two.
// Entries with equal keys take consecutive free slots of the probe
// sequence; a lookup checks all of them.
type refIndex struct {
	slots []refSlot
	shift uint
	used  int
}

type refSlot struct {
	key uint64
	id  uint32 // 0 for an empty slot: void is never an entry
	off uint32 // where the resolved record is in state.refRecs
}

func newRefIndex() *refIndex {
	x := &refIndex{}
	x.alloc(1 << 14)
	return x
}

func (x *refIndex) alloc(n int) {
	x.slots = make([]refSlot, n)
	x.shift = 64
	for m := n; m > 1; m >>= 1 {
		x.shift--
	}
}

// find returns the entry for key whose resolved record in recs is nw, or 0.
func (x *refIndex) find(key uint64, nw, recs []uint32) uint32 {
	mask := uint64(len(x.slots) - 1)
	n := uint32(len(nw))
	for i := (key * mix) >> x.shift; ; i = (i + 1) & mask {
		s := &x.slots[i]
		if s.id == 0 {
			return 0
		}
		// The same info word means the same kind and length.
		if s.key == key && recs[s.off+1] == nw[1] && slices.Equal(nw, recs[s.off:s.off+n]) {
			return s.id
		}
	}
}

// add adds id, whose resolved record is at off in state.refRecs, for key.
func (x *refIndex) add(key uint64, id, off uint32) {
	if 2*(x.used+1) > len(x.slots) {
		old := x.slots
		x.alloc(2 * len(old))
		for _, s := range old {
			if s.id != 0 {
				x.put(s)
			}
		}
	}
	x.put(refSlot{key: key, id: id, off: off})
	x.used++
}

func (x *refIndex) put(s refSlot) {
	mask := uint64(len(x.slots) - 1)
	i := (s.key * mix) >> x.shift
	for x.slots[i].id != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = s
}
