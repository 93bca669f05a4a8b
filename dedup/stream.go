package dedup

import (
	"errors"
	"slices"
	"sync"

	"github.com/btfhub/btfhub/btf"
)

var (
	errStream       = errors.New("dedup: stream: a struct found equivalent is not on a second check")
	errStreamBudget = errors.New("dedup: stream: the struct pass is past its budget")
)

// Stream deduplicates a spec while its types are still being written, for a
// producer that appends them in batches whose types refer only to
// themselves and to earlier batches (fromdwarf's encoder, one compilation
// unit after another). Each Add makes a longer prefix of the type section
// available, and the primitive and struct passes, most of the work, run on
// the new types on another goroutine while the producer writes the next
// batch. Finish runs the rest once the spec is complete.
//
// The result is always Dedup's, byte for byte. Where that cannot be shown
// as the types arrive, Finish runs Dedup from scratch (see Fallback): for a
// split spec, non-default options, a batch that refers to a later one, two
// string offsets that hold the same string, and (never seen in practice) a
// struct equivalent to several canonical ones whose order in libbpf's index
// differs from the one guessed, and a struct pass whose work (candidates
// tried and steps of failed checks) passes four times the number of structs
// plus a million, which only adversarial input does (see Dedup's notes on
// shapes).
type Stream struct {
	mu      sync.Mutex
	latest  []uint32 // the type section as last handed to Add
	running bool
	wg      sync.WaitGroup

	// Owned by the goroutine that processes batches, one at a time.
	d         *state
	nWords    int  // words processed
	failed    bool // a shortcut does not hold: Finish runs Dedup
	failure   string
	stab      *table
	structs   int // d.structIDs processed
	cands     []uint32
	succ      []uint32
	checks    int // candidates tried, and steps of the checks that failed
	ambiguous []ambiguity
	// fallback says why Finish ran Dedup, if it did (for tests).
	fallback string
}

// Why the passes can run on a prefix. libbpf runs the primitive pass over
// every type, then the struct pass over every struct. Run batch after
// batch instead (the primitive pass of a batch, then its struct pass), the
// struct pass of a batch sees the state libbpf's sees, with two
// differences:
//
//   - A primitive pass of a later batch can point a canonical enum forward
//     declaration of this batch or an earlier one at a full enum of the later
//     batch (primRange). Everything that resolved to the declaration then
//     resolves to the full enum: resolution changes by a one-to-one renaming
//     onto types this batch cannot refer to, so every comparison of
//     resolved ids the struct pass makes has the same outcome, and the
//     struct pass writes nothing about enums. (Nor does it write anything
//     the primitive pass of a later batch reads: records and the index of
//     primitives.)
//   - In libbpf's index, every canonical primitive comes before the first
//     struct, and the order in which the candidates of a key are tried
//     depends on how often the index has grown, so on the number of
//     primitives, known only at the end. Structs get an index of their own
//     here, and when a struct has several candidates, all are checked
//     (isEquiv writes only scratch state until mergeHypot records a
//     success). When at most one is equivalent, the order does not matter;
//     when several are, the first in the order guessed from the number of
//     primitives so far is taken and the lookup recorded, and Finish
//     checks that the order given by the final number gives the same one.
//
// The struct pass compares string offsets as they are (state.strIdentity),
// which Finish's string pass checks. From there, the state is libbpf's, and
// Finish runs the remaining passes as Dedup does.

// ambiguity is a struct lookup where several candidates were equivalent.
type ambiguity struct {
	key    uint64
	n      int    // entries of the struct index at the time
	chosen uint32 // the candidate taken
	succ   []uint32
}

// NewStream returns a Stream for a spec without base. typesHint, when
// positive, is the number of types expected.
func NewStream(typesHint int) *Stream {
	if typesHint < 0 || typesHint > maxTypes {
		typesHint = 0
	}
	d := &state{
		mappable:    mappable1,
		first:       1,
		next:        1,
		strIdentity: true,
		tab:         newTable(1 << 12),
	}
	d.m = append(make([]uint32, 0, typesHint+1), 0)
	d.hypot = append(make([]uint32, 0, typesHint+1), 0)
	d.kinds = append(make([]uint8, 0, typesHint+1), 0)
	d.offs = append(make([]uint32, 0, typesHint+1), 0)
	return &Stream{d: d, stab: newTable(1 << 12)}
}

// Add makes words, the type section written so far, available. Each call
// must extend the words of the previous one (the same values, possibly in
// a new array), ending at a type boundary, and the types added may refer
// only to types up to the last one added. Add does not wait for the work
// it starts; words must not be modified afterwards, up to their length.
func (s *Stream) Add(words []uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latest = words
	if !s.running {
		s.running = true
		s.wg.Add(1)
		go s.work()
	}
}

// work processes batches until it has caught up with Add.
//
// The types are not validated yet (Finish's spec is). process checks what
// the passes rely on to stay in bounds: every record is whole and of a
// known kind, its length given by its kind and vlen (recordWords), and
// every type id it refers to is below the next id (refsBefore). Records
// are compared only once their info words are equal, so of equal length.
// Anything else wrong in them makes the stream fail (s.fail), and Finish
// leaves it to Dedup, which reports it.
func (s *Stream) work() {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		w := s.latest
		if s.failed || len(w) <= s.nWords {
			s.running = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		s.process(w)
	}
}

// recordWords returns the length in words of a record from its info word,
// or false for an unknown kind.
func recordWords(info uint32) (uint32, bool) {
	vlen := uint32(vlenOf(info))
	switch kindOf(info) {
	case kPtr, kFwd, kTypedef, kVolatile, kConst, kRestrict, kFunc, kFloat, kTypeTag:
		return 3, true
	case kInt, kVar, kDeclTag:
		return 4, true
	case kArray:
		return 6, true
	case kStruct, kUnion, kEnum64, kDatasec:
		return 3 + 3*vlen, true
	case kEnum, kFuncProto:
		return 3 + 2*vlen, true
	}
	return 0, false
}

// process runs the passes on the types of w past those already processed.
func (s *Stream) process(w []uint32) {
	d := s.d
	d.words = w
	lo := d.next
	for p := uint32(s.nWords); p < uint32(len(w)); {
		if uint32(len(w))-p < 3 {
			s.fail("a truncated record")
			return
		}
		n, ok := recordWords(w[p+1])
		if !ok || n > uint32(len(w))-p || d.next >= maxTypes {
			s.fail("an invalid record")
			return
		}
		p += n
		d.offs = append(d.offs, p)
		d.kinds = append(d.kinds, 0)
		d.m = append(d.m, unprocessed)
		d.hypot = append(d.hypot, 0)
		d.next++
	}
	s.nWords = len(w)
	// The kinds, as the string pass notes them for Dedup, with a check of
	// the references and a list of the structs.
	for id := lo; id < d.next; id++ {
		t := d.rec(id)
		if !s.refsBefore(t, d.next) {
			s.fail("a reference to a later batch")
			return
		}
		k := kindOf(t[1])
		d.kinds[id] = uint8(k)
		switch k {
		case kVar, kDatasec:
			d.m[id] = id
		case kStruct, kUnion:
			d.structIDs = append(d.structIDs, id)
		}
	}
	d.primRange(int(lo-d.first), int(d.next-d.first))
	if err := s.structs1(); err != nil {
		s.fail(err.Error())
	}
}

// fail gives up on the stream: Finish will run Dedup, which allocates its
// own state, so this one goes now.
func (s *Stream) fail(why string) {
	s.failed, s.failure = true, why
	if d := s.d; d != nil {
		d.m, d.hypot, d.kinds, d.offs, d.structIDs = nil, nil, nil, nil, nil
		d.tab = nil
	}
	s.stab = nil
}

// refsBefore reports whether every type id record w refers to is below
// next.
func (s *Stream) refsBefore(w []uint32, next uint32) bool {
	switch kindOf(w[1]) {
	case kPtr, kTypedef, kVolatile, kConst, kRestrict, kFunc, kTypeTag, kVar, kDeclTag:
		return w[2] < next
	case kArray:
		return w[3] < next && w[4] < next
	case kStruct, kUnion:
		for j := 4; j < len(w); j += 3 {
			if w[j] >= next {
				return false
			}
		}
	case kFuncProto:
		if w[2] >= next {
			return false
		}
		for j := 4; j < len(w); j += 2 {
			if w[j] >= next {
				return false
			}
		}
	case kDatasec:
		for j := 3; j < len(w); j += 3 {
			if w[j] >= next {
				return false
			}
		}
	}
	return true
}

// structs1 is structTypes for the structs not processed yet, with the
// struct index of its own (see Stream).
func (s *Stream) structs1() error {
	d := s.d
	for ; s.structs < len(d.structIDs); s.structs++ {
		id := d.structIDs[s.structs]
		if d.m[id] <= maxTypes {
			continue
		}
		t := d.rec(id)
		h := d.hashStruct(t) // over the input's offsets: d.strIdentity
		s.cands = s.cands[:0]
		for c := s.stab.lookup(h); ; {
			cand, ok := c.next()
			if !ok {
				break
			}
			s.checks++
			if d.shallowEqualStruct(t, d.rec(cand)) {
				s.cands = append(s.cands, cand)
			}
		}
		newID := id
		switch len(s.cands) {
		case 0:
		case 1:
			d.clearHypot()
			eq := d.isEquiv(id, s.cands[0])
			if d.err != nil {
				return d.err
			}
			if eq {
				d.mergeHypot()
				newID = s.cands[0]
			} else {
				s.checks += len(d.hypotList)
			}
		default:
			// libbpf stops at the first equivalent candidate; checking
			// them all is cheap in practice (the others fail at the
			// first members).
			s.succ = s.succ[:0]
			for _, cand := range s.cands {
				d.clearHypot()
				eq := d.isEquiv(id, cand)
				if d.err != nil {
					return d.err
				}
				if eq {
					s.succ = append(s.succ, cand)
				} else {
					s.checks += len(d.hypotList)
				}
			}
			if len(s.succ) == 0 {
				break
			}
			newID = s.succ[0]
			if len(s.succ) > 1 {
				// Take the first in libbpf's order if no primitive
				// comes after this point, the likeliest.
				newID = s.stab.firstAt(h, s.stab.sz, d.tab.sz, s.succ)
				s.ambiguous = append(s.ambiguous, ambiguity{key: h, n: s.stab.sz, chosen: newID, succ: append([]uint32(nil), s.succ...)})
			}
			d.clearHypot()
			if !d.isEquiv(id, newID) || d.err != nil {
				return errStream
			}
			d.mergeHypot()
		}
		// The work is bounded: past the budget, Dedup, whose struct pass
		// keys its index by shape (see shape.go), does it.
		if s.checks > 4*len(d.structIDs)+1<<20 {
			return errStreamBudget
		}
		d.m[id] = newID
		if newID == id {
			s.stab.add(h, id)
			d.canonStructs = append(d.canonStructs, id)
		}
	}
	return nil
}

// Finish deduplicates spec, which must be the spec whose type section was
// last handed to Add, with no Add since, and returns what Dedup(spec, opts)
// returns.
func (s *Stream) Finish(spec *btf.Spec, opts *Options) (*btf.Spec, *Result, error) {
	s.wg.Wait()
	if opts == nil {
		opts = &Options{}
	}
	d := s.d
	s.d = nil // whatever happens, the stream is used up
	words, offs := spec.RawTypes()
	switch {
	case d == nil:
		s.fallback = "finished before"
	case s.failed:
		s.fallback = "a batch could not be processed"
		if s.failure != "" {
			s.fallback += ": " + s.failure
		}
	case spec.Base() != nil || opts.Ext != nil || opts.Libbpf17:
		s.fallback = "split BTF or options"
	case len(words) != s.nWords || len(offs) != len(d.offs) || uint32(spec.NextID()) != d.next ||
		len(words) > 0 && &words[0] != &s.latest[0]:
		s.fallback = "not the spec added"
	}
	if s.fallback != "" {
		return Dedup(spec, opts)
	}
	d.spec, d.words, d.offs = spec, words, offs
	d.strBase = spec.StringBase()
	s.latest = nil

	d.refIdx = newRefIndex() // see state.refTab
	identity, err := d.dedupStrings(nil, false, false)
	if err == nil && identity {
		d.resolveFwds()
	}
	// On any error, Dedup says what it is.
	switch {
	case err != nil:
		s.fallback = "string error"
	case !identity:
		s.fallback = "two string offsets hold the same string"
	case !s.orderHolds(d.tab.sz):
		s.fallback = "libbpf's candidate order differs"
	}
	if s.fallback != "" {
		return Dedup(spec, opts)
	}
	d.strIdentity = true
	phase("stream")
	if err := d.refTypes(); err != nil {
		s.fallback = "reference error"
		return Dedup(spec, opts)
	}
	phase("ref")
	d.tab, d.refIdx, s.stab = nil, nil, nil
	d.refRecs = nil
	return d.output()
}

// Fallback returns why Finish deduplicated with Dedup, from scratch,
// rather than by the passes run as types were added; "" when it did not,
// or has not run yet. The result is the same either way.
func (s *Stream) Fallback() string { return s.fallback }

// orderHolds reports whether, for every recorded ambiguity, libbpf's
// candidate order would have taken the same candidate: the first
// equivalent one in the order of its index, where the nPrims canonical
// primitives precede every struct.
func (s *Stream) orderHolds(nPrims int) bool {
	for _, a := range s.ambiguous {
		if s.stab.firstAt(a.key, a.n, nPrims, a.succ) != a.chosen {
			return false
		}
	}
	return true
}

// epochAfter returns how many times libbpf's hashmap has grown after n
// insertions (see table.add): it grows before the insertion that would make
// (size+1)*4/3 exceed its capacity, from 4 entries, doubling.
func epochAfter(n int) int {
	if n <= 0 {
		return 0
	}
	e, capacity := 1, 4 // the first insertion grows the empty map
	for {
		// The smallest i with i*4/3 > capacity: the insertion that grows.
		i := (3*(capacity+1) + 3) / 4
		if i > n {
			return e
		}
		e++
		capacity *= 2
	}
}

// firstAt returns the first of want among the candidates for key in
// libbpf's order, at the time the index held its first n entries, when
// offset other insertions preceded all of them; or unprocessed.
func (t *table) firstAt(key uint64, n, offset int, want []uint32) uint32 {
	for _, id := range t.orderAt(key, n, offset) {
		if slices.Contains(want, id) {
			return id
		}
	}
	return unprocessed
}

// orderAt returns the candidates for key in libbpf's order, at the time the
// index held its first n entries, when offset other insertions preceded all
// of them (see table).
func (t *table) orderAt(key uint64, n, offset int) []uint32 {
	s := t.find(key)
	var idx []int
	for p := range 2 {
		for e := s.head[p]; e != 0; e = t.ents[e-1].next {
			if int(e-1) < n {
				idx = append(idx, int(e-1))
			}
		}
	}
	slices.Sort(idx)
	now := epochAfter(offset+n) & 1
	var order []uint32
	for k := len(idx) - 1; k >= 0; k-- { // the current epoch's, newest first
		if j := idx[k]; epochAfter(offset+j+1)&1 == now {
			order = append(order, t.ents[j].id)
		}
	}
	for _, j := range idx { // then the others, oldest first
		if epochAfter(offset+j+1)&1 != now {
			order = append(order, t.ents[j].id)
		}
	}
	return order
}
