package archive

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// groupWriter accumulates the shared tables of one group of kernels:
// distinct strings, type identities and normalised records.
type groupWriter struct {
	strIDs   map[string]uint32
	strs     []string
	gids     map[[2]uint64]uint32
	recIDs   map[string]uint32
	recWords []uint32
	recOff   []int // where each record starts in recWords
	kernels  int
	history  []groupKernel
	strBytes int // the bytes of strs, with their NULs
}

// tableBound bounds the bytes of the tables shared returns: every word
// of a record takes at most 5 bytes.
func (g *groupWriter) tableBound() int { return 10 + g.strBytes + 5*len(g.recWords) + 7*10 }

// groupKernel is what the writer keeps of a kernel already in the group,
// to code the next ones against it.
type groupKernel struct {
	lists kernelLists
	depth int
	gids  map[uint32]struct{}
}

// Bounds of the reference choice: how far back a reference may be, and
// how many kernels' lists reading one kernel may decode.
const (
	refWindow   = 16
	maxRefDepth = 4
)

func newGroupWriter() *groupWriter {
	return &groupWriter{strIDs: map[string]uint32{}, gids: map[[2]uint64]uint32{}, recIDs: map[string]uint32{}}
}

// add encodes one kernel against the group's tables and returns its
// payload, or errNotStructural (leaving the tables unchanged in meaning).
func (g *groupWriter) add(raw []byte) ([]byte, error) {
	sb, err := splitRaw(raw)
	if err != nil {
		return nil, err
	}
	if err := checkRefs(sb); err != nil {
		return nil, err
	}
	// Strings: each at most once in a kernel, so that a string id names
	// one offset.
	offIndex := make(map[uint32]int, len(sb.strOffs))
	seen := make(map[string]bool, len(sb.strings))
	for i, s := range sb.strings {
		if seen[s] {
			return nil, errNotStructural
		}
		seen[s] = true
		offIndex[sb.strOffs[i]] = i
	}
	name := func(off uint32) (string, bool) {
		i, ok := offIndex[off]
		if !ok {
			return "", false
		}
		return sb.strings[i], true
	}
	keys, err := identities(sb, name)
	if err != nil {
		return nil, err
	}
	// Every check is done: from here on the kernel is encodable.
	sidBase, gidBase, ridBase := uint32(len(g.strs)), uint32(len(g.gids)+1), uint32(len(g.recIDs))
	sids := make([]uint32, len(sb.strings))
	for i, s := range sb.strings {
		id, ok := g.strIDs[s]
		if !ok {
			id = uint32(len(g.strs))
			g.strIDs[s] = id
			g.strs = append(g.strs, s)
			g.strBytes += len(s) + 1
		}
		sids[i] = id
	}
	local := make([]uint32, len(sb.records)+1) // local id -> gid; void stays 0
	occ := make(map[uint64]uint64, len(keys))
	for i, k := range keys {
		ident := [2]uint64{k, occ[k]}
		occ[k]++
		gid, ok := g.gids[ident]
		if !ok {
			gid = uint32(len(g.gids) + 1)
			g.gids[ident] = gid
		}
		local[i+1] = gid
	}
	rids := make([]uint32, len(sb.records))
	var rb []byte
	for i, r := range sb.records {
		n := append([]uint32(nil), r...)
		forEachRef(n, func(p *uint32) { *p = sids[offIndex[*p]] }, func(p *uint32) { *p = local[*p] })
		rb = rb[:0]
		for _, w := range n {
			rb = binary.LittleEndian.AppendUint32(rb, w)
		}
		id, ok := g.recIDs[string(rb)]
		if !ok {
			id = uint32(len(g.recIDs))
			g.recIDs[string(rb)] = id
			g.recOff = append(g.recOff, len(g.recWords))
			g.recWords = append(g.recWords, n...)
		}
		rids[i] = id
	}
	lists := kernelLists{sids: sids, gids: local[1:], rids: rids}
	// The reference: the recent kernel sharing the most types.
	set := make(map[uint32]struct{}, len(lists.gids))
	for _, v := range lists.gids {
		set[v] = struct{}{}
	}
	ref, best := -1, len(lists.gids)/2
	for i := len(g.history) - 1; i >= 0 && i >= len(g.history)-refWindow; i-- {
		h := g.history[i]
		if h.depth >= maxRefDepth {
			continue
		}
		if n := overlap(h.lists.gids, set); n > best {
			ref, best = i, n
		}
	}
	var refLists kernelLists
	depth, back := 0, 0
	if ref >= 0 {
		refLists, depth, back = g.history[ref].lists, g.history[ref].depth+1, len(g.history)-ref
	}
	g.history = append(g.history, groupKernel{lists: lists, depth: depth, gids: set})
	g.kernels++
	var out []byte
	out = binary.AppendUvarint(out, uint64(len(sb.header)))
	out = append(out, sb.header...)
	out = binary.AppendUvarint(out, uint64(back))
	out = appendCoded(out, lists.gids, refLists.gids, gidBase)
	out = appendPredicted(out, rids, predictRecords(lists.gids, refLists), ridBase)
	record := func(rid uint32) []uint32 {
		end := len(g.recWords)
		if int(rid)+1 < len(g.recOff) {
			end = g.recOff[rid+1]
		}
		return g.recWords[g.recOff[rid]:end]
	}
	out = appendCoded(out, sids, predictStrings(rids, record, len(g.strs)), sidBase)
	return out, nil
}

// shared returns the group's shared tables: the strings, NUL-terminated,
// after their count; then the records, by column (pack_columns.go).
func (g *groupWriter) shared() []byte {
	var out []byte
	out = binary.AppendUvarint(out, uint64(len(g.strs)))
	for _, s := range g.strs {
		out = append(out, s...)
		out = append(out, 0)
	}
	return appendColumns(out, g.recWords)
}

// groupTables are a group's shared tables, decoded for reading. They take
// at most 4 bytes for each byte of the content they come from, plus the
// content itself.
type groupTables struct {
	strData []byte   // the strings, each followed by its NUL
	strOff  []uint32 // string i is strData[strOff[i] : strOff[i+1]-1]
	words   []uint32 // the records, end to end
	recOff  []uint32 // record i is words[recOff[i]:recOff[i+1]]
}

// numStrings returns how many strings the group has.
func (t *groupTables) numStrings() int { return len(t.strOff) - 1 }

// str returns string i, which must be below numStrings.
func (t *groupTables) str(i uint32) []byte { return t.strData[t.strOff[i] : t.strOff[i+1]-1] }

// numRecords returns how many records the group has.
func (t *groupTables) numRecords() int { return len(t.recOff) - 1 }

// record returns record i, which must be below numRecords.
func (t *groupTables) record(i uint32) []uint32 { return t.words[t.recOff[i]:t.recOff[i+1]] }

// parseShared reads the tables at the start of a group's content, and
// returns them and the rest of the content: the payloads stored in the
// group. It finds every string before it allocates their offsets.
func parseShared(b []byte) (*groupTables, []byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil, fmt.Errorf("%w: group tables: string count %d at byte 0, more than the %d bytes that follow", ErrCorrupt, n, len(b)-max(k, 0))
	}
	strs := b[k:]
	end := 0
	for i := uint64(0); i < n; i++ {
		j := bytes.IndexByte(strs[end:], 0)
		if j < 0 {
			return nil, nil, fmt.Errorf("%w: group tables: string %d at byte %d: no NUL", ErrCorrupt, i, k+end)
		}
		end += j + 1
	}
	t := &groupTables{strData: strs[:end:end], strOff: make([]uint32, 1, n+1)}
	for off := 0; off < end; {
		off += bytes.IndexByte(strs[off:end], 0) + 1
		t.strOff = append(t.strOff, uint32(off))
	}
	words, recOff, rest, err := parseColumns(strs[end:], k+end)
	if err != nil {
		return nil, nil, err
	}
	t.words, t.recOff = words, recOff
	return t, rest, nil
}

// kernelPayload is a kernel's payload, parsed up to its lists.
type kernelPayload struct {
	header []byte
	back   int    // how many kernels back in the group its reference is; 0: none
	lists  []byte // the coded lists
}

// parsePayload reads a payload's header and reference.
func parsePayload(p []byte) (kernelPayload, error) {
	bad := func(what string) error { return fmt.Errorf("%w: kernel payload: %s", ErrCorrupt, what) }
	hl, k := binary.Uvarint(p)
	if k <= 0 || hl < 24 || hl > 1<<16 || hl > uint64(len(p)-k) {
		return kernelPayload{}, bad("header")
	}
	kp := kernelPayload{header: p[k : k+int(hl)]}
	p = p[k+int(hl):]
	back, k := binary.Uvarint(p)
	if k <= 0 || back > refWindow {
		return kernelPayload{}, bad("reference")
	}
	kp.back, kp.lists = int(back), p[k:]
	return kp, nil
}

// decodeLists decodes a payload's lists against its reference's.
//
// A reference needs only its type identities and record ids: with
// strings false, its string ids are not decoded.
func (t *groupTables) decodeLists(kp kernelPayload, ref kernelLists, maxSize int64, strings bool) (kernelLists, error) {
	bad := func(what string, err error) error {
		return fmt.Errorf("%w: kernel payload: %s: %w", ErrCorrupt, what, err)
	}
	// Raw BTF of maxSize bytes has a header of 24 bytes or more, types
	// of 12 bytes or more and strings of a byte or more: that bounds the
	// lists before they are allocated.
	maxStrings := max(0, maxSize-24)
	maxTypes := maxStrings / 12
	var l kernelLists
	var err error
	p := kp.lists
	if l.gids, p, err = readCoded(p, ref.gids, 1<<32-1, maxTypes); err != nil {
		return l, bad("type identities", err)
	}
	if l.rids, p, err = readPredicted(p, predictRecords(l.gids, ref), uint64(t.numRecords()), maxTypes); err != nil {
		return l, bad("record ids", err)
	}
	if !strings {
		return l, nil
	}
	if l.sids, p, err = readCoded(p, predictStrings(l.rids, t.record, t.numStrings()), uint64(t.numStrings()), maxStrings); err != nil {
		return l, bad("string ids", err)
	}
	if len(p) != 0 {
		return l, bad("lists", fmt.Errorf("%d bytes left", len(p)))
	}
	return l, nil
}

// rebuild reassembles a kernel's raw BTF from its header and lists and
// the group's tables. It sizes the result before it allocates it: more
// than maxSize bytes is corrupt.
func (t *groupTables) rebuild(header []byte, l kernelLists, maxSize int64) ([]byte, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: kernel payload: %s", ErrCorrupt, fmt.Sprintf(format, args...))
	}
	sids, gids, rids := l.sids, l.gids, l.rids
	// Where each string id lands in the string section, and its size.
	const none = ^uint32(0)
	sidOff := make([]uint32, t.numStrings())
	for i := range sidOff {
		sidOff[i] = none
	}
	strLen := int64(0)
	for i, s := range sids {
		if sidOff[s] != none {
			return nil, bad("string id %d listed twice (at %d)", s, i)
		}
		sidOff[s] = uint32(strLen)
		if strLen += int64(len(t.str(s))) + 1; strLen > maxSize {
			return nil, bad("strings larger than the entry's %d bytes", maxSize)
		}
	}
	typeLen := int64(0)
	for _, rid := range rids {
		typeLen += 4 * int64(t.recOff[rid+1]-t.recOff[rid])
	}
	le := binary.LittleEndian
	if total := int64(len(header)) + typeLen + strLen; total > maxSize {
		return nil, bad("%d bytes, larger than the entry's %d", total, maxSize)
	}
	if le.Uint32(header[8:]) != 0 || le.Uint32(header[12:]) != uint32(typeLen) || le.Uint32(header[16:]) != uint32(typeLen) || le.Uint32(header[20:]) != uint32(strLen) {
		return nil, bad("header does not match the sections (%d bytes of types, %d of strings)", typeLen, strLen)
	}
	for _, g := range gids {
		if g == 0 {
			return nil, bad("type identity 0")
		}
	}
	localOf, dup := newGidIndex(gids, nil)
	if dup {
		return nil, bad("type identity listed twice")
	}
	out := make([]byte, 0, int64(len(header))+typeLen+strLen)
	out = append(out, header...)
	var fail error
	r := make([]uint32, 0, 64)
	for i, rid := range rids {
		r = append(r[:0], t.record(rid)...)
		forEachRef(r, func(w *uint32) {
			if *w >= uint32(len(sidOff)) || sidOff[*w] == none {
				fail = bad("type %d: string %d not in the kernel", i+1, *w)
				return
			}
			*w = sidOff[*w]
		}, func(w *uint32) {
			if *w == 0 {
				return
			}
			id, ok := localOf.get(*w)
			if !ok {
				fail = bad("type %d: type identity %d not in the kernel", i+1, *w)
				return
			}
			*w = id + 1
		})
		if fail != nil {
			return nil, fail
		}
		for _, w := range r {
			out = le.AppendUint32(out, w)
		}
	}
	for _, s := range sids {
		out = append(out, t.str(s)...)
		out = append(out, 0)
	}
	return out, nil
}
