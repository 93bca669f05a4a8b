package archive

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// A kernel's three id lists (string ids, type gids, record ids) are
// coded against the same lists of a reference kernel of its group, when
// it has one: consecutive kernels list nearly the same ids in nearly the
// same order, so most ids are "the next one of the reference", and only
// the differences cost bytes.

// Operations of the list coding.
const (
	opNext    = 0 // the reference's id at the cursor; the cursor moves on
	opJump    = 1 // the reference's id at cursor+delta; the cursor moves after it
	opNew     = 2 // the next new id (numbered from the list's base)
	opLiteral = 3 // an id given as is
	opReturn  = 4 // the reference's id where the cursor was before the last jump or return
)

// refCursor walks a reference list, skipping the positions already used,
// so that after a moved block the skipped ids cost nothing.
type refCursor struct {
	ref []uint32
	// free[i] leads towards the first unused position at or after i:
	// free[i] == i for an unused one; the path is compressed as it is
	// followed, so that skipping long stretches of used positions again
	// and again stays cheap. free[len(ref)] == len(ref).
	free  []int32
	pos   int
	saved int
}

func newRefCursor(ref []uint32) *refCursor {
	free := make([]int32, len(ref)+1)
	for i := range free {
		free[i] = int32(i)
	}
	return &refCursor{ref: ref, free: free}
}

// skip returns the first unused position at or after at (len(ref) when
// there is none).
func (c *refCursor) skip(at int) int {
	if at >= len(c.ref) {
		return at
	}
	root := at
	for int(c.free[root]) != root {
		root = int(c.free[root])
	}
	for int(c.free[at]) != root {
		at, c.free[at] = int(c.free[at]), int32(root)
	}
	return root
}

// take uses the reference's id at position at.
func (c *refCursor) take(at int) uint32 {
	c.free[at] = int32(at + 1)
	c.pos = at + 1
	return c.ref[at]
}

// kernelLists are the three lists of one kernel.
type kernelLists struct {
	sids, gids, rids []uint32
}

// appendCoded codes vals against ref (nil for none): the count and base,
// the runs of operations as (op, length) pairs, then the jumps' deltas,
// then the literals.
func appendCoded(out []byte, vals, ref []uint32, base uint32) []byte {
	pos := make(map[uint32]int, len(ref))
	for i := len(ref) - 1; i >= 0; i-- {
		pos[ref[i]] = i
	}
	ops := make([]byte, len(vals))
	var jumps []int64
	var lits []uint32
	c := newRefCursor(ref)
	next := base
	for i, v := range vals {
		at := c.skip(c.pos)
		back := c.skip(c.saved)
		switch p, ok := pos[v]; {
		case at < len(ref) && ref[at] == v:
			ops[i] = opNext
			c.take(at)
		case v == next:
			ops[i] = opNew
			next++
		case back < len(ref) && ref[back] == v:
			ops[i] = opReturn
			c.saved = at
			c.take(back)
		case ok:
			ops[i] = opJump
			jumps = append(jumps, int64(p-at))
			c.saved = at
			c.take(p)
		default:
			ops[i] = opLiteral
			lits = append(lits, v)
		}
	}
	out = appendHead(out, base, ops)
	for _, d := range jumps {
		out = binary.AppendVarint(out, d)
	}
	return appendLiterals(out, lits)
}

// readCoded decodes appendCoded's output against ref: at most maxCount
// ids, each below limit.
func readCoded(p []byte, ref []uint32, limit uint64, maxCount int64) ([]uint32, []byte, error) {
	base, ops, p, err := readHead(p, limit, maxCount, opReturn)
	if err != nil {
		return nil, nil, err
	}
	out := make([]uint32, len(ops))
	var jumpOps []int
	for i, op := range ops {
		if op == opJump {
			jumpOps = append(jumpOps, i)
		}
	}
	jumps := make([]int64, len(jumpOps))
	for i := range jumps {
		d, k := binary.Varint(p)
		if k <= 0 {
			return nil, nil, fmt.Errorf("truncated jumps")
		}
		jumps[i], p = d, p[k:]
	}
	c := newRefCursor(ref)
	next, j := uint64(base), 0
	var lit literals
	for i, op := range ops {
		var v uint64
		at := c.skip(c.pos)
		switch op {
		case opNext:
			if at >= len(ref) {
				return nil, nil, fmt.Errorf("past the end of the reference")
			}
			v = uint64(c.take(at))
		case opJump:
			t := int64(at) + jumps[j]
			j++
			if t < 0 || t >= int64(len(ref)) {
				return nil, nil, fmt.Errorf("reference position %d out of range", t)
			}
			c.saved = at
			v = uint64(c.take(int(t)))
		case opReturn:
			back := c.skip(c.saved)
			if back >= len(ref) {
				return nil, nil, fmt.Errorf("return past the end of the reference")
			}
			c.saved = at
			v = uint64(c.take(back))
		case opNew:
			v = next
			next++
		case opLiteral:
			if v, p, err = lit.next(p); err != nil {
				return nil, nil, err
			}
		}
		if v >= limit {
			return nil, nil, fmt.Errorf("id %d out of range", v)
		}
		out[i] = uint32(v)
	}
	return out, p, nil
}

// overlap counts the ids of a that are in the set b.
func overlap(a []uint32, b map[uint32]struct{}) int {
	n := 0
	for _, v := range a {
		if _, ok := b[v]; ok {
			n++
		}
	}
	return n
}

// noPrediction marks a position of a prediction that predicts nothing.
const noPrediction = ^uint32(0)

// appendPredicted codes vals position by position against pred, a list
// of the same length that predicts each value (or holds noPrediction):
// the count and base, the runs of operations (opNext: the prediction;
// opNew: the next new id; opLiteral: given) as (op, length) pairs, then
// the literals as deltas.
func appendPredicted(out []byte, vals, pred []uint32, base uint32) []byte {
	ops := make([]byte, len(vals))
	var lits []uint32
	next := base
	for i, v := range vals {
		switch {
		case v == pred[i]:
			ops[i] = opNext
		case v == next:
			ops[i] = opNew
			next++
		default:
			ops[i] = opLiteral
			lits = append(lits, v)
		}
	}
	return appendLiterals(appendHead(out, base, ops), lits)
}

// readPredicted decodes appendPredicted's output against pred: at most
// maxCount ids, each below limit; pred must have as many positions as
// the list.
func readPredicted(p []byte, pred []uint32, limit uint64, maxCount int64) ([]uint32, []byte, error) {
	base, ops, p, err := readHead(p, limit, min(maxCount, int64(len(pred))), opLiteral)
	if err != nil {
		return nil, nil, err
	}
	if len(ops) != len(pred) {
		return nil, nil, fmt.Errorf("%d ids for a prediction of %d", len(ops), len(pred))
	}
	out := make([]uint32, len(ops))
	next := uint64(base)
	var lit literals
	for i, op := range ops {
		var v uint64
		switch op {
		case opNext:
			v = uint64(pred[i])
		case opNew:
			v = next
			next++
		case opLiteral:
			if v, p, err = lit.next(p); err != nil {
				return nil, nil, err
			}
		default:
			return nil, nil, fmt.Errorf("operation %d in a predicted list", op)
		}
		if v >= limit {
			return nil, nil, fmt.Errorf("id %d out of range", v)
		}
		out[i] = uint32(v)
	}
	return out, p, nil
}

// appendHead appends the start of a list of len(ops) ids: the count, the
// base, then the ops run-length coded: the number of runs, then each
// run's op and length.
func appendHead(out []byte, base uint32, ops []byte) []byte {
	out = binary.AppendUvarint(out, uint64(len(ops)))
	out = binary.AppendUvarint(out, uint64(base))
	var runs []uint64
	for i := 0; i < len(ops); {
		j := i
		for j < len(ops) && ops[j] == ops[i] {
			j++
		}
		runs = append(runs, uint64(ops[i]), uint64(j-i))
		i = j
	}
	out = binary.AppendUvarint(out, uint64(len(runs)/2))
	for _, r := range runs {
		out = binary.AppendUvarint(out, r)
	}
	return out
}

// readHead reads what appendHead wrote, for at most maxCount ids, a base
// of at most limit and ops of at most maxOp.
func readHead(p []byte, limit uint64, maxCount int64, maxOp uint64) (base uint32, ops []byte, rest []byte, err error) {
	n, k := binary.Uvarint(p)
	if k <= 0 || n > uint64(maxCount) {
		return 0, nil, nil, fmt.Errorf("bad count")
	}
	p = p[k:]
	b, k := binary.Uvarint(p)
	if k <= 0 || b > limit || b > math.MaxUint32 {
		return 0, nil, nil, fmt.Errorf("bad base")
	}
	ops, p, err = readRuns(p[k:], n, maxOp)
	return uint32(b), ops, p, err
}

// appendLiterals appends the literals of a list, each as the zig-zag
// varint of its difference from the previous one (the first: from 0).
func appendLiterals(out []byte, lits []uint32) []byte {
	prev := int64(0)
	for _, l := range lits {
		out = binary.AppendVarint(out, int64(l)-prev)
		prev = int64(l)
	}
	return out
}

// literals reads what appendLiterals wrote, one at a time.
type literals struct{ prev int64 }

func (l *literals) next(p []byte) (uint64, []byte, error) {
	d, k := binary.Varint(p)
	if k <= 0 {
		return 0, nil, fmt.Errorf("truncated literals")
	}
	if l.prev += d; l.prev < 0 {
		return 0, nil, fmt.Errorf("negative id")
	}
	return uint64(l.prev), p[k:], nil
}

// readRuns reads the runs appendHead wrote for n ops, each at most maxOp.
func readRuns(p []byte, n uint64, maxOp uint64) ([]byte, []byte, error) {
	nruns, k := binary.Uvarint(p)
	if k <= 0 || nruns > n {
		return nil, nil, fmt.Errorf("bad run count")
	}
	p = p[k:]
	ops := make([]byte, 0, n)
	for i := uint64(0); i < nruns; i++ {
		op, k1 := binary.Uvarint(p)
		if k1 <= 0 {
			return nil, nil, fmt.Errorf("truncated runs")
		}
		l, k2 := binary.Uvarint(p[k1:])
		if k2 <= 0 || op > maxOp || l > n-uint64(len(ops)) {
			return nil, nil, fmt.Errorf("bad run")
		}
		p = p[k1+k2:]
		for j := uint64(0); j < l; j++ {
			ops = append(ops, byte(op))
		}
	}
	if uint64(len(ops)) != n {
		return nil, nil, fmt.Errorf("runs do not cover the list")
	}
	return ops, p, nil
}

// predictRecords predicts a kernel's record ids from its type identities
// gids and its reference's lists: the type with identity g has the record
// it has in the reference, if the reference has it. Consecutive kernels
// change few records of the types they share, so most predictions hold.
func predictRecords(gids []uint32, ref kernelLists) []uint32 {
	recordOf, _ := newGidIndex(ref.gids, ref.rids)
	pred := make([]uint32, len(gids))
	for i, g := range gids {
		pred[i] = noPrediction
		if r, ok := recordOf.get(g); ok {
			pred[i] = r
		}
	}
	return pred
}

// gidIndex maps type identities to values: a table indexed by gid when
// the gids are dense, as the writer makes them, else sorted pairs, so
// that what it allocates is bounded by the number of gids, not by the
// largest.
type gidIndex struct {
	dense []uint32 // the value of each gid, or noPrediction
	pairs []uint64 // gid<<32 | position, sorted
	vals  []uint32 // the value at each position; nil: the position
}

// newGidIndex indexes gids, whose values are vals (nil: their
// positions); of a gid listed twice, the later value is kept, and dup
// reports it.
func newGidIndex(gids, vals []uint32) (x gidIndex, dup bool) {
	x.vals = vals
	maxGid := uint32(0)
	for _, g := range gids {
		maxGid = max(maxGid, g)
	}
	if uint64(maxGid) <= 2*uint64(len(gids))+1024 {
		x.dense = make([]uint32, uint64(maxGid)+1)
		for i := range x.dense {
			x.dense[i] = noPrediction
		}
		for i, g := range gids {
			dup = dup || x.dense[g] != noPrediction
			x.dense[g] = x.value(i)
		}
		return x, dup
	}
	x.pairs = make([]uint64, len(gids))
	for i, g := range gids {
		x.pairs[i] = uint64(g)<<32 | uint64(i)
	}
	slices.Sort(x.pairs)
	for i := 1; i < len(x.pairs); i++ {
		dup = dup || x.pairs[i]>>32 == x.pairs[i-1]>>32
	}
	return x, dup
}

func (x gidIndex) value(i int) uint32 {
	if x.vals == nil {
		return uint32(i)
	}
	return x.vals[i]
}

// get returns the value of gid g.
func (x gidIndex) get(g uint32) (uint32, bool) {
	if x.pairs == nil {
		if uint64(g) >= uint64(len(x.dense)) || x.dense[g] == noPrediction {
			return 0, false
		}
		return x.dense[g], true
	}
	// The last pair of gid g: the first of g+1, minus one.
	i, _ := slices.BinarySearch(x.pairs, uint64(g+1)<<32)
	if g == math.MaxUint32 {
		i = len(x.pairs)
	}
	if i == 0 || x.pairs[i-1]>>32 != uint64(g) {
		return 0, false
	}
	return x.value(int(uint32(x.pairs[i-1]))), true
}

// predictStrings predicts a kernel's string ids from its records, given
// by record(rid) for each id in rids, in a group of nstr strings: the
// empty string (id 0, the first string of every kernel), then the
// strings in the order the records first refer to them. That is nearly
// the order of the string sections libbpf's dedup writes (it numbers the
// strings as it walks the types before dropping duplicates), so coding
// the real list against this one costs a few bytes per thousand strings.
func predictStrings(rids []uint32, record func(rid uint32) []uint32, nstr int) []uint32 {
	// A bit a string: an eighth of a byte for each byte of the tables.
	seen := make([]uint64, (nstr+63)/64)
	var pred []uint32
	if nstr > 0 {
		seen[0] = 1
		pred = append(pred, 0)
	}
	for _, rid := range rids {
		forEachRef(record(rid), func(p *uint32) {
			if s := *p; s < uint32(nstr) && seen[s/64]&(1<<(s%64)) == 0 {
				seen[s/64] |= 1 << (s % 64)
				pred = append(pred, s)
			}
		}, func(*uint32) {})
	}
	return pred
}
