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
	kernels  int
}

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
			g.recWords = append(g.recWords, n...)
		}
		rids[i] = id
	}
	g.kernels++
	var out []byte
	out = binary.AppendUvarint(out, uint64(len(sb.header)))
	out = append(out, sb.header...)
	out = appendList(out, sids, sidBase)
	out = appendList(out, local[1:], gidBase)
	out = appendList(out, rids, ridBase)
	return out, nil
}

// appendList writes a list of ids in which new ids (first used by this
// kernel, numbered from base in order of use) are predictable, and old
// ids mostly follow each other: the count and base; the lengths of the
// alternating runs of old and new ids (starting with old); then each old
// id as the zig-zag varint of its difference from the previous old id
// plus one. The common cases become runs of identical bytes.
func appendList(out []byte, vals []uint32, base uint32) []byte {
	out = binary.AppendUvarint(out, uint64(len(vals)))
	out = binary.AppendUvarint(out, uint64(base))
	next := base
	isNew := make([]bool, len(vals))
	for i, v := range vals {
		if v == next {
			isNew[i] = true
			next++
		}
	}
	var runs []uint64
	cur, n := false, uint64(0)
	for _, f := range isNew {
		if f != cur {
			runs = append(runs, n)
			cur, n = f, 0
		}
		n++
	}
	runs = append(runs, n)
	out = binary.AppendUvarint(out, uint64(len(runs)))
	for _, r := range runs {
		out = binary.AppendUvarint(out, r)
	}
	prev := int64(-1)
	for i, v := range vals {
		if !isNew[i] {
			out = binary.AppendVarint(out, int64(v)-prev-1)
			prev = int64(v)
		}
	}
	return out
}

// shared returns the group's shared tables: the strings, NUL-terminated,
// after their count; then the records' words.
func (g *groupWriter) shared() []byte {
	var out []byte
	out = binary.AppendUvarint(out, uint64(len(g.strs)))
	for _, s := range g.strs {
		out = append(out, s...)
		out = append(out, 0)
	}
	out = binary.AppendUvarint(out, uint64(len(g.recWords)))
	for _, w := range g.recWords {
		out = binary.LittleEndian.AppendUint32(out, w)
	}
	return out
}

// groupTables are a group's shared tables, decoded for reading.
type groupTables struct {
	strs    []string
	records [][]uint32
}

// parseShared decodes a group's shared tables, checking every bound.
func parseShared(b []byte) (*groupTables, error) {
	bad := func(what string) error { return fmt.Errorf("%w: group tables: %s", ErrCorrupt, what) }
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return nil, bad("string count")
	}
	b = b[k:]
	t := &groupTables{strs: make([]string, 0, n)}
	for i := uint64(0); i < n; i++ {
		j := bytes.IndexByte(b, 0)
		if j < 0 {
			return nil, bad("unterminated string")
		}
		t.strs = append(t.strs, string(b[:j]))
		b = b[j+1:]
	}
	nw, k := binary.Uvarint(b)
	if k <= 0 || nw*4 != uint64(len(b)-k) {
		return nil, bad("record words")
	}
	b = b[k:]
	words := make([]uint32, nw)
	for i := range words {
		words[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	for off := 0; off < len(words); {
		if len(words)-off < 3 {
			return nil, bad("truncated record")
		}
		_, size, ok := shapeOf(words[off+1])
		if !ok || off+size > len(words) {
			return nil, bad("record of unknown kind or size")
		}
		t.records = append(t.records, words[off:off+size:off+size])
		off += size
	}
	return t, nil
}

// rebuild reassembles a kernel's raw BTF from its payload and the group's
// tables.
func (t *groupTables) rebuild(p []byte, maxSize int64) ([]byte, error) {
	bad := func(what string) error { return fmt.Errorf("%w: kernel payload: %s", ErrCorrupt, what) }
	hl, k := binary.Uvarint(p)
	if k <= 0 || hl < 24 || hl > 1<<16 || hl > uint64(len(p)-k) {
		return nil, bad("header")
	}
	header := p[k : k+int(hl)]
	p = p[k+int(hl):]
	sids, p, err := readList(p, uint64(len(t.strs)), maxSize)
	if err != nil {
		return nil, bad("string ids: " + err.Error())
	}
	gids, p, err := readList(p, 1<<32-1, maxSize)
	if err != nil {
		return nil, bad("type identities: " + err.Error())
	}
	rids, p, err := readList(p, uint64(len(t.records)), maxSize)
	if err != nil || len(p) != 0 || len(rids) != len(gids) {
		return nil, bad("records")
	}
	// The string section, and where each string id lands in it.
	var strSec []byte
	sidOff := make(map[uint32]uint32, len(sids))
	for _, s := range sids {
		if _, dup := sidOff[s]; dup {
			return nil, bad("string listed twice")
		}
		sidOff[s] = uint32(len(strSec))
		strSec = append(strSec, t.strs[s]...)
		strSec = append(strSec, 0)
		if int64(len(strSec)) > maxSize {
			return nil, bad("larger than the entry")
		}
	}
	localOf := make(map[uint32]uint32, len(gids))
	for i, g := range gids {
		if _, dup := localOf[g]; dup || g == 0 {
			return nil, bad("type identity listed twice")
		}
		localOf[g] = uint32(i + 1)
	}
	out := make([]byte, 0, maxSize)
	out = append(out, header...)
	var fail error
	for _, rid := range rids {
		r := append([]uint32(nil), t.records[rid]...)
		forEachRef(r, func(w *uint32) {
			off, ok := sidOff[*w]
			if !ok {
				fail = bad("string not in the kernel")
			}
			*w = off
		}, func(w *uint32) {
			if *w == 0 {
				return
			}
			id, ok := localOf[*w]
			if !ok {
				fail = bad("type not in the kernel")
			}
			*w = id
		})
		if fail != nil {
			return nil, fail
		}
		for _, w := range r {
			out = binary.LittleEndian.AppendUint32(out, w)
		}
		if int64(len(out)) > maxSize {
			return nil, bad("larger than the entry")
		}
	}
	typeLen := len(out) - len(header)
	le := binary.LittleEndian
	if le.Uint32(header[12:]) != uint32(typeLen) || le.Uint32(header[16:]) != uint32(typeLen) || le.Uint32(header[20:]) != uint32(len(strSec)) {
		return nil, bad("header does not match the sections")
	}
	return append(out, strSec...), nil
}

// readList reads appendList's output: at most maxCount ids, each below
// limit.
func readList(p []byte, limit uint64, maxCount int64) ([]uint32, []byte, error) {
	n, k := binary.Uvarint(p)
	if k <= 0 || n > uint64(maxCount) {
		return nil, nil, fmt.Errorf("bad count")
	}
	p = p[k:]
	next, k := binary.Uvarint(p)
	if k <= 0 || next > limit {
		return nil, nil, fmt.Errorf("bad base")
	}
	p = p[k:]
	nruns, k := binary.Uvarint(p)
	if k <= 0 || nruns > n+1 {
		return nil, nil, fmt.Errorf("bad run count")
	}
	p = p[k:]
	isNew := make([]bool, 0, n)
	for i := uint64(0); i < nruns; i++ {
		r, k := binary.Uvarint(p)
		if k <= 0 || r > n-uint64(len(isNew)) {
			return nil, nil, fmt.Errorf("bad run")
		}
		p = p[k:]
		for j := uint64(0); j < r; j++ {
			isNew = append(isNew, i%2 == 1)
		}
	}
	if uint64(len(isNew)) != n {
		return nil, nil, fmt.Errorf("runs do not cover the list")
	}
	out := make([]uint32, n)
	prev := int64(-1)
	for i := range out {
		var v int64
		if isNew[i] {
			v = int64(next)
			next++
		} else {
			d, k := binary.Varint(p)
			if k <= 0 {
				return nil, nil, fmt.Errorf("truncated")
			}
			p = p[k:]
			v = prev + 1 + d
			prev = v
		}
		if v < 0 || uint64(v) >= limit {
			return nil, nil, fmt.Errorf("id %d out of range", v)
		}
		out[i] = uint32(v)
	}
	return out, p, nil
}
