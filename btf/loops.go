package btf

import (
	"fmt"
	"strings"
)

// refEdge returns the n-th type id that a record refers to for the purpose
// of loop detection, and false when there are no more. Structs and unions
// have no edges: a cycle through them is how C builds linked lists, and the
// kernel's checker (kernel/bpf/btf.c, btf_resolve) accepts it.
func refEdge(w []uint32, n int) (TypeID, bool) {
	switch Kind(w[1] >> 24 & 0x1f) {
	case KindPointer, KindTypedef, KindVolatile, KindConst, KindRestrict,
		KindTypeTag, KindFunc, KindVar, KindDeclTag:
		if n == 0 {
			return TypeID(w[2]), true
		}
	case KindArray:
		if n < 2 {
			return TypeID(w[3+n]), true
		}
	case KindFuncProto:
		if n == 0 {
			return TypeID(w[2]), true
		}
		if j := 3 + 2*(n-1) + 1; j < len(w) {
			return TypeID(w[j]), true
		}
	case KindDatasec:
		if j := 3 + 3*n; j < len(w) {
			return TypeID(w[j]), true
		}
	}
	return 0, false
}

// checkLoops rejects a chain of references that returns to where it
// started without passing through a struct or union, such as a typedef of a
// const of itself. The kernel rejects such BTF ("Loop detected"), and any
// code that follows references to find a size would never finish.
//
// Every cycle has a type of least id, m, and its edge in the cycle leads
// up to a type that is not a struct or union. So the walk starts only from
// types with such an edge (forward, in increasing order: index lists exactly
// those; CheckReferenceLoops passes every type with an edge up, and the
// rest are filtered out here), and a walk from m follows only
// edges to ids at or above m: every type of m's cycle is there, while the
// many edges down to common types (int, long) end at once. A type that a
// walk from an earlier start finished, over a larger range of ids, lies on
// no cycle within a smaller one, so each type is finished once overall.
func (s *Spec) checkLoops(forward []uint32, kinds []Kind) error {
	const (
		unvisited = iota
		onPath
		done
	)
	if len(forward) == 0 {
		return nil
	}
	if kinds == nil {
		kinds = make([]Kind, len(s.offs)-1)
		for i := range kinds {
			kinds[i] = Kind(s.words[s.offs[i]+1] >> 24 & 0x1f)
		}
	}
	// leaf reports whether the type at index j ends every walk through it.
	leaf := func(j uint32) bool { return kinds[j] == KindStruct || kinds[j] == KindUnion }
	var state []uint8
	var stack []loopFrame
	for _, root := range forward {
		if state != nil && state[root] != unvisited {
			continue
		}
		w := s.words[s.offs[root]:s.offs[root+1]]
		self := uint32(s.firstID) + root
		start := false
		for e := 0; !start; e++ {
			to, ok := refEdge(w, e)
			if !ok {
				break
			}
			start = uint32(to) >= self && !leaf(uint32(to-s.firstID))
		}
		if !start {
			continue
		}
		if state == nil {
			state = make([]uint8, len(s.offs)-1)
		}
		stack = append(stack[:0], loopFrame{i: root})
		state[root] = onPath
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			to, ok := refEdge(s.words[s.offs[f.i]:s.offs[f.i+1]], f.edge)
			if !ok {
				state[f.i] = done
				stack = stack[:len(stack)-1]
				continue
			}
			f.edge++
			if to < s.firstID+TypeID(root) {
				continue // below the walk's range: void, the base, or lower ids
			}
			j := uint32(to - s.firstID)
			switch state[j] {
			case onPath:
				return s.loopErr(stack, j)
			case unvisited:
				if leaf(j) {
					state[j] = done
					continue
				}
				state[j] = onPath
				stack = append(stack, loopFrame{i: j})
			}
		}
	}
	return nil
}

// loopFrame is a step of checkLoops' depth-first walk.
type loopFrame struct {
	i    uint32 // index of the type in s.offs
	edge int    // next edge to follow
}

func (s *Spec) loopErr(stack []loopFrame, j uint32) error {
	start := 0
	for k, f := range stack {
		if f.i == j {
			start = k
			break
		}
	}
	var path strings.Builder
	for _, f := range stack[start:] {
		id := s.firstID + TypeID(f.i)
		fmt.Fprintf(&path, "[%d] %s -> ", id, Kind(s.words[s.offs[f.i]+1]>>24&0x1f))
	}
	fmt.Fprintf(&path, "[%d]", s.firstID+TypeID(j))
	return formatErr(ErrTypeLoop, s.byteOffset(s.offs[j]), s.firstID+TypeID(j),
		"type loop without a struct or union: %s", path.String())
}
