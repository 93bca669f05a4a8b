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
// A cycle cannot only go down in id, so at least one of its edges leads to
// an id at or above its source's: the walk starts only from forward, the
// types index found with such an edge, which in real BTF are few. A start
// already explored from an earlier one without finding a cycle is on none.
func (s *Spec) checkLoops(forward []uint32) error {
	const (
		unvisited = iota
		onPath
		done
	)
	if len(forward) == 0 {
		return nil
	}
	state := make([]uint8, len(s.offs)-1)
	var stack []loopFrame
	for _, root := range forward {
		if state[root] != unvisited {
			continue
		}
		stack = append(stack[:0], loopFrame{i: root})
		state[root] = onPath
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			w := s.words[s.offs[f.i]:s.offs[f.i+1]]
			to, ok := refEdge(w, f.edge)
			if !ok {
				state[f.i] = done
				stack = stack[:len(stack)-1]
				continue
			}
			f.edge++
			if to < s.firstID {
				continue // void or the base, which was checked already
			}
			j := uint32(to - s.firstID)
			switch state[j] {
			case onPath:
				return s.loopErr(stack, j)
			case unvisited:
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
