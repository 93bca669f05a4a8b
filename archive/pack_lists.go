package archive

import (
	"encoding/binary"
	"fmt"
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
	ref   []uint32
	used  []bool
	pos   int
	saved int
}

func (c *refCursor) skip(at int) int {
	for at < len(c.ref) && c.used[at] {
		at++
	}
	return at
}

// take uses the reference's id at position at.
func (c *refCursor) take(at int) uint32 {
	c.used[at] = true
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
	c := &refCursor{ref: ref, used: make([]bool, len(ref))}
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
	out = binary.AppendUvarint(out, uint64(len(vals)))
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
	for _, d := range jumps {
		out = binary.AppendVarint(out, d)
	}
	prev := int64(0)
	for _, l := range lits {
		out = binary.AppendVarint(out, int64(l)-prev)
		prev = int64(l)
	}
	return out
}

// readCoded decodes appendCoded's output against ref: at most maxCount
// ids, each below limit.
func readCoded(p []byte, ref []uint32, limit uint64, maxCount int64) ([]uint32, []byte, error) {
	n, k := binary.Uvarint(p)
	if k <= 0 || n > uint64(maxCount) {
		return nil, nil, fmt.Errorf("bad count")
	}
	p = p[k:]
	base, k := binary.Uvarint(p)
	if k <= 0 || base > limit {
		return nil, nil, fmt.Errorf("bad base")
	}
	p = p[k:]
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
		if k2 <= 0 || op > opReturn || l > n-uint64(len(ops)) {
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
	out := make([]uint32, n)
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
	c := &refCursor{ref: ref, used: make([]bool, len(ref))}
	next, prevLit, j := base, int64(0), 0
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
			d, k := binary.Varint(p)
			if k <= 0 {
				return nil, nil, fmt.Errorf("truncated literals")
			}
			p = p[k:]
			prevLit += d
			if prevLit < 0 {
				return nil, nil, fmt.Errorf("negative id")
			}
			v = uint64(prevLit)
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
