package diff

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"github.com/btfhub/btfhub/btf"
)

// Report lists the differences between two specs, A (old) and B (new).
// Each list is sorted by name, then kind.
type Report struct {
	// Added lists the types of B that A does not have.
	Added []TypeInfo `json:"added"`
	// Removed lists the types of A that B does not have.
	Removed []TypeInfo `json:"removed"`
	// Changed lists the types both have, with what changed.
	Changed []TypeChange `json:"changed"`
}

// Empty reports whether the two specs have the same types.
func (r *Report) Empty() bool {
	return len(r.Added) == 0 && len(r.Removed) == 0 && len(r.Changed) == 0
}

// TypeInfo names a type that only one side has.
type TypeInfo struct {
	// Kind is "struct", "union", "enum", "typedef", "func", "var",
	// "int", "float", "fwd" or "datasec". ENUM and ENUM64 are both
	// "enum".
	Kind string `json:"kind"`
	// Name is the type's name. A top-level anonymous enum, which declares
	// constants, is named "(anon FIRST)" after its first value.
	Name string `json:"name"`
	// Size is the type's size in bytes, 0 for kinds without one.
	Size uint64 `json:"size"`
}

// TypeChange describes a type both specs have.
type TypeChange struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	// Size is set when the size in bytes changed.
	Size *Uint64Change `json:"size,omitempty"`
	// Type is set when what a typedef, variable or function refers to
	// changed, in C-like spelling; for a function, its prototype.
	Type *StringChange `json:"type,omitempty"`
	// Detail is set when something else about the type changed: an INT's
	// encoding, a FWD's kind, a struct becoming a union.
	Detail *StringChange `json:"detail,omitempty"`
	// Members lists the changed members of a struct or union, and of its
	// anonymous members, in the order of A's members then B's new ones.
	Members []MemberChange `json:"members,omitempty"`
	// Values lists the changed values of an enum.
	Values []ValueChange `json:"values,omitempty"`
}

// Uint64Change is a number that changed.
type Uint64Change struct {
	Old uint64 `json:"old"`
	New uint64 `json:"new"`
}

// StringChange is a description that changed.
type StringChange struct {
	Old string `json:"old"`
	New string `json:"new"`
}

// Change says whether a member or value was added, removed or changed.
type Change string

// The kinds of member and value changes.
const (
	Added   Change = "added"
	Removed Change = "removed"
	Changed Change = "changed"
)

// MemberChange describes a member of a struct or union that was added,
// removed or changed.
type MemberChange struct {
	// Name is the member's path from the type: "field", or for members
	// of anonymous members "(anon N).field", N counting the anonymous
	// members of the parent from 1.
	Name   string  `json:"name"`
	Change Change  `json:"change"`
	Old    *Member `json:"old,omitempty"`
	New    *Member `json:"new,omitempty"`
	// Values lists the changed values of a member's anonymous enum.
	Values []ValueChange `json:"values,omitempty"`
}

// Member is a member as one side has it.
type Member struct {
	// Type is the member's type in C-like spelling.
	Type string `json:"type"`
	// BitOffset is the offset from the start of the outermost named type,
	// in bits.
	BitOffset uint64 `json:"bit_offset"`
	// BitfieldSize is the width of a bitfield in bits, 0 otherwise.
	BitfieldSize uint32 `json:"bitfield_size,omitempty"`
	// Size is the size of the member's type in bytes.
	Size uint64 `json:"size"`
}

// ValueChange describes an enumerator that was added, removed or whose
// value changed.
type ValueChange struct {
	Name   string `json:"name"`
	Change Change `json:"change"`
	Old    *Value `json:"old,omitempty"`
	New    *Value `json:"new,omitempty"`
}

// Value is the value of an enumerator. In JSON it is a plain number,
// negative for negative values of signed enums.
type Value struct {
	// Bits holds the value, sign-extended to 64 bits for signed enums.
	Bits   uint64
	Signed bool
}

// String returns the value in decimal.
func (v Value) String() string {
	if v.Signed {
		return strconv.FormatInt(int64(v.Bits), 10)
	}
	return strconv.FormatUint(v.Bits, 10)
}

// MarshalJSON writes the value as a JSON number.
func (v Value) MarshalJSON() ([]byte, error) { return []byte(v.String()), nil }

func enumValue(t btf.Type, i int) Value {
	v := t.EnumValue(i).Value
	signed := t.KindFlag()
	if signed && t.Kind() == btf.KindEnum {
		v = uint64(int64(int32(uint32(v))))
	}
	return Value{Bits: v, Signed: signed}
}

// side is one of the two specs with what Compare needs to know about it.
type side struct {
	s   *btf.Spec
	bud *budget // shared by both sides
}

// key identifies a type across specs: its report kind and name.
type key struct {
	kind, name string
}

// Compare lists the types added, removed and changed from a to b.
//
// Types are matched by kind and name; ENUM and ENUM64 count as the same
// kind. Where a spec has several types of one kind and name (static
// functions of the same name, say), identical pairs are matched first and
// the rest in id order. Anonymous structs, unions and enums are compared
// where they are used: as members, by their position among their parent's
// anonymous members, and as the targets of typedefs. Top-level anonymous
// enums, which declare constants, are matched by their first value's name.
// Void, pointers, arrays, qualifiers, prototypes and tags have no name and
// are compared through the types that refer to them.
//
// A member's type is compared by its C-like spelling ("struct list_head",
// "u32 *"), so a change inside struct list_head is reported once, for
// list_head, and not for every struct that holds one.
//
// Compare cannot fail: where a pair of types passes MaxSteps, its entry is
// cut short. CompareChecked reports that as an error instead.
func Compare(a, b *btf.Spec) *Report {
	r, _, _ := compareBudget(context.Background(), a, b)
	return r
}

// CompareChecked is Compare, failing with an error that wraps ErrTooLarge
// and names the type when comparing a pair of types would take more than
// MaxSteps steps.
func CompareChecked(a, b *btf.Spec) (*Report, error) {
	return CompareContext(context.Background(), a, b)
}

// ctxCheckEvery is how many keys CompareContext compares between checks of
// its context.
const ctxCheckEvery = 1024

// CompareContext is CompareChecked, stopped by ctx: it returns ctx's
// error, and no report, when ctx is done before the comparison ends.
func CompareContext(ctx context.Context, a, b *btf.Spec) (*Report, error) {
	r, _, err := compareBudget(ctx, a, b)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// compareBudget compares a and b and returns the report, cut short where
// the budget ran out, with the budget (for the tests) and its error.
func compareBudget(ctx context.Context, a, b *btf.Spec) (*Report, *budget, error) {
	bud := &budget{a: a}
	sa := &side{s: a, bud: bud}
	sb := &side{s: b, bud: bud}
	ka, orderA := index(a)
	kb, orderB := index(b)
	r := &Report{Added: []TypeInfo{}, Removed: []TypeInfo{}, Changed: []TypeChange{}}
	for i, k := range orderA {
		if i%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, bud, err
			}
		}
		ids := ka[k]
		other := kb[k]
		pairs, onlyA, onlyB := pair(sa, sb, ids, other)
		for _, p := range pairs {
			if c, ok := compareType(sa, sb, k, p[0], p[1]); ok {
				r.Changed = append(r.Changed, c)
			}
		}
		if bud.err != nil {
			return r, bud, bud.err
		}
		for _, id := range onlyA {
			r.Removed = append(r.Removed, info(sa, k, id))
		}
		for _, id := range onlyB {
			r.Added = append(r.Added, info(sb, k, id))
		}
	}
	for _, k := range orderB {
		if _, ok := ka[k]; ok {
			continue
		}
		for _, id := range kb[k] {
			r.Added = append(r.Added, info(sb, k, id))
		}
	}
	byKey := func(x, y key) int { return cmp.Or(cmp.Compare(x.name, y.name), cmp.Compare(x.kind, y.kind)) }
	slices.SortStableFunc(r.Added, func(x, y TypeInfo) int { return byKey(key{x.Kind, x.Name}, key{y.Kind, y.Name}) })
	slices.SortStableFunc(r.Removed, func(x, y TypeInfo) int { return byKey(key{x.Kind, x.Name}, key{y.Kind, y.Name}) })
	slices.SortStableFunc(r.Changed, func(x, y TypeChange) int { return byKey(key{x.Kind, x.Name}, key{y.Kind, y.Name}) })
	bud.start(0, 0)
	if err := ctx.Err(); err != nil {
		return nil, bud, err
	}
	return r, bud, bud.err
}

// index groups the named types of s (with its bases) by key, and returns
// the keys in the order they first appear.
func index(s *btf.Spec) (map[key][]btf.TypeID, []key) {
	referenced := referencedAnonEnums(s)
	m := map[key][]btf.TypeID{}
	var order []key
	for id := btf.TypeID(1); id < s.NextID(); id++ {
		t, _ := s.Type(id)
		k, ok := typeKey(t, referenced)
		if !ok {
			continue
		}
		if _, seen := m[k]; !seen {
			order = append(order, k)
		}
		m[k] = append(m[k], id)
	}
	return m, order
}

// referencedAnonEnums returns the anonymous enums that some type refers to;
// the others declare constants at the top level.
func referencedAnonEnums(s *btf.Spec) map[btf.TypeID]bool {
	refs := map[btf.TypeID]bool{}
	mark := func(id btf.TypeID) {
		if t, err := s.Type(id); err == nil && (t.Kind() == btf.KindEnum || t.Kind() == btf.KindEnum64) && t.NameOff() == 0 {
			refs[id] = true
		}
	}
	for id := btf.TypeID(1); id < s.NextID(); id++ {
		t, _ := s.Type(id)
		switch t.Kind() {
		case btf.KindStruct, btf.KindUnion:
			for i := range t.Vlen() {
				mark(t.Member(i).Type)
			}
		case btf.KindArray:
			mark(t.Array().Type)
		case btf.KindFuncProto:
			mark(t.Ref())
			for i := range t.Vlen() {
				mark(t.Param(i).Type)
			}
		default:
			mark(t.Ref())
		}
	}
	return refs
}

func typeKey(t btf.Type, referenced map[btf.TypeID]bool) (key, bool) {
	k := t.Kind()
	switch k {
	case btf.KindStruct, btf.KindUnion, btf.KindEnum, btf.KindEnum64, btf.KindTypedef,
		btf.KindFunc, btf.KindVar, btf.KindInt, btf.KindFloat, btf.KindDatasec:
	case btf.KindFwd:
		return key{"fwd", t.Name()}, true
	default:
		return key{}, false
	}
	if t.Name() != "" {
		return key{tag(t), t.Name()}, true
	}
	if (k == btf.KindEnum || k == btf.KindEnum64) && !referenced[t.ID()] && t.Vlen() > 0 {
		return key{"enum", "(anon " + t.EnumValue(0).Name + ")"}, true
	}
	return key{}, false
}

// pair matches the types of one key on both sides: identical ones first,
// then the rest in order.
func pair(sa, sb *side, a, b []btf.TypeID) (pairs [][2]btf.TypeID, onlyA, onlyB []btf.TypeID) {
	if len(a) == 1 && len(b) == 1 {
		return [][2]btf.TypeID{{a[0], b[0]}}, nil, nil
	}
	used := make([]bool, len(b))
	var restA []btf.TypeID
	const maxGroup = 64 // beyond this, pair in order only
	for _, x := range a {
		found := false
		if len(a) <= maxGroup && len(b) <= maxGroup {
			for j, y := range b {
				if !used[j] {
					if _, changed := compareType(sa, sb, key{}, x, y); !changed {
						used[j], found = true, true
						pairs = append(pairs, [2]btf.TypeID{x, y})
						break
					}
				}
			}
		}
		if !found {
			restA = append(restA, x)
		}
	}
	j := 0
	for _, x := range restA {
		for j < len(b) && used[j] {
			j++
		}
		if j == len(b) {
			onlyA = append(onlyA, x)
			continue
		}
		used[j] = true
		pairs = append(pairs, [2]btf.TypeID{x, b[j]})
	}
	for j, y := range b {
		if !used[j] {
			onlyB = append(onlyB, y)
		}
	}
	return pairs, onlyA, onlyB
}

func info(sd *side, k key, id btf.TypeID) TypeInfo {
	t, _ := sd.s.Type(id)
	var sz uint64
	switch t.Kind() {
	case btf.KindStruct, btf.KindUnion, btf.KindEnum, btf.KindEnum64, btf.KindInt, btf.KindFloat,
		btf.KindTypedef, btf.KindVar, btf.KindDatasec:
		sz = sd.size(id)
	}
	return TypeInfo{Kind: k.kind, Name: k.name, Size: sz}
}

// compareType compares two types of the same key and reports whether they
// differ.
func compareType(sa, sb *side, k key, ida, idb btf.TypeID) (TypeChange, bool) {
	ta, _ := sa.s.Type(ida)
	tb, _ := sb.s.Type(idb)
	sa.bud.start(ida, idb)
	c := TypeChange{Kind: k.kind, Name: k.name}
	changed := false
	if ta.Kind() != tb.Kind() && !(isEnum(ta) && isEnum(tb)) {
		c.Detail = &StringChange{Old: ta.Kind().String(), New: tb.Kind().String()}
		changed = true
	}
	switch ta.Kind() {
	case btf.KindStruct, btf.KindUnion, btf.KindEnum, btf.KindEnum64, btf.KindInt, btf.KindFloat, btf.KindDatasec:
		if ta.Size() != tb.Size() {
			c.Size = &Uint64Change{Old: uint64(ta.Size()), New: uint64(tb.Size())}
			changed = true
		}
	case btf.KindTypedef, btf.KindVar:
		if sa, sb := sa.size(ida), sb.size(idb); sa != sb {
			c.Size = &Uint64Change{Old: sa, New: sb}
			changed = true
		}
	}
	if c.Detail != nil {
		return c, true
	}
	switch ta.Kind() {
	case btf.KindStruct, btf.KindUnion:
		c.Members = compareMembers(sa, sb, ta, tb, "", 0, 0, 0)
	case btf.KindEnum, btf.KindEnum64:
		c.Values = compareValues(ta, tb)
		if ta.KindFlag() != tb.KindFlag() {
			c.Detail = &StringChange{Old: signedness(ta), New: signedness(tb)}
		}
	case btf.KindInt:
		if ia, ib := ta.Int(), tb.Int(); ia != ib {
			c.Detail = &StringChange{Old: intDetail(ia), New: intDetail(ib)}
		}
	case btf.KindTypedef, btf.KindVar, btf.KindFunc:
		// Parameter names are shown but not compared.
		if describeB(sa.s, ta.Ref(), sa.bud) != describeB(sb.s, tb.Ref(), sb.bud) {
			c.Type = &StringChange{Old: describeNamed(sa.s, ta.Ref(), sa.bud), New: describeNamed(sb.s, tb.Ref(), sb.bud)}
		}
		if ta.Kind() == btf.KindFunc && ta.Linkage() != tb.Linkage() {
			c.Detail = &StringChange{Old: ta.Linkage().String(), New: tb.Linkage().String()}
		}
		// typedef struct {...} name_t: the anonymous target is matched by
		// position and compared here.
		if x, ok := anonTarget(sa.s, ta.Ref()); ok && ta.Kind() == btf.KindTypedef {
			if y, ok := anonTarget(sb.s, tb.Ref()); ok && x.Kind() == y.Kind() {
				if x.Kind().IsComposite() {
					c.Members = compareMembers(sa, sb, x, y, "", 0, 0, 0)
				} else {
					c.Values = compareValues(x, y)
				}
				if x.Size() != y.Size() && c.Size == nil {
					c.Size = &Uint64Change{Old: uint64(x.Size()), New: uint64(y.Size())}
				}
			}
		}
	case btf.KindDatasec:
		// Sections are compared through their variables.
	case btf.KindFwd:
		if ta.KindFlag() != tb.KindFlag() {
			c.Detail = &StringChange{Old: tag(ta), New: tag(tb)}
		}
	}
	changed = changed || c.Type != nil || c.Detail != nil || len(c.Members) > 0 || len(c.Values) > 0
	return c, changed
}

func isEnum(t btf.Type) bool { return t.Kind() == btf.KindEnum || t.Kind() == btf.KindEnum64 }

func signedness(t btf.Type) string {
	if t.KindFlag() {
		return "signed"
	}
	return "unsigned"
}

func intDetail(i btf.Int) string {
	return i.Encoding.String() + " bits " + strconv.FormatUint(uint64(i.Bits), 10) +
		" offset " + strconv.FormatUint(uint64(i.Offset), 10)
}

// compareMembers compares the members of two structs or unions. prefix is
// the path of the anonymous member they belong to, and offA, offB its bit
// offsets in the outermost type.
func compareMembers(sa, sb *side, ta, tb btf.Type, prefix string, offA, offB uint64, depth int) []MemberChange {
	var out []MemberChange
	compareMembersTo(&out, sa, sb, ta, tb, prefix, offA, offB, depth)
	return out
}

// compareMembersTo is compareMembers, appending to *out, so that nested
// anonymous members are not copied once per level.
func compareMembersTo(out *[]MemberChange, sa, sb *side, ta, tb btf.Type, prefix string, offA, offB uint64, depth int) {
	if depth > maxDepth || !sa.bud.step() {
		return
	}
	named := map[string]int{}
	var anonB []int
	for i := range tb.Vlen() {
		if m := tb.Member(i); m.Name != "" {
			named[m.Name] = i
		} else {
			anonB = append(anonB, i)
		}
	}
	usedB := make([]bool, tb.Vlen())
	nAnon := 0
	for i := range ta.Vlen() {
		if !sa.bud.step() {
			return
		}
		ma := ta.Member(i)
		j := -1
		var path string
		if ma.Name != "" {
			path = prefix + ma.Name
			if k, ok := named[ma.Name]; ok {
				j = k
			}
		} else {
			nAnon++
			path = prefix + "(anon " + strconv.Itoa(nAnon) + ")"
			if nAnon <= len(anonB) {
				j = anonB[nAnon-1]
			}
		}
		oldM := member(sa, ma, offA)
		if j < 0 {
			*out = append(*out, MemberChange{Name: path, Change: Removed, Old: oldM})
			continue
		}
		usedB[j] = true
		mb := tb.Member(j)
		newM := member(sb, mb, offB)
		mc := MemberChange{Name: path, Change: Changed, Old: oldM, New: newM}
		// Anonymous structs and unions are compared member by member, the
		// values of anonymous enums one by one, after the member itself.
		xa, okA := anonTarget(sa.s, ma.Type)
		xb, okB := anonTarget(sb.s, mb.Type)
		nested := okA && okB && xa.Kind().IsComposite() && xa.Kind() == xb.Kind()
		if !nested && okA && okB && isEnum(xa) && isEnum(xb) {
			mc.Values = compareValues(xa, xb)
		}
		if *oldM != *newM || len(mc.Values) > 0 {
			*out = append(*out, mc)
		}
		if nested {
			compareMembersTo(out, sa, sb, xa, xb, path+".", oldM.BitOffset, newM.BitOffset, depth+1)
		}
	}
	nAnon = 0
	for j := range tb.Vlen() {
		mb := tb.Member(j)
		if mb.Name == "" {
			nAnon++
		}
		if usedB[j] {
			continue
		}
		path := prefix + mb.Name
		if mb.Name == "" {
			path = prefix + "(anon " + strconv.Itoa(nAnon) + ")"
		}
		*out = append(*out, MemberChange{Name: path, Change: Added, New: member(sb, mb, offB)})
	}
}

func member(sd *side, m btf.Member, base uint64) *Member {
	return &Member{
		Type:         describeB(sd.s, m.Type, sd.bud),
		BitOffset:    base + uint64(m.BitOffset),
		BitfieldSize: m.BitfieldSize,
		Size:         sd.size(m.Type),
	}
}

// compareValues compares the enumerators of two enums by name.
func compareValues(ta, tb btf.Type) []ValueChange {
	vb := map[string]int{}
	for i := range tb.Vlen() {
		v := tb.EnumValue(i)
		if _, dup := vb[v.Name]; !dup {
			vb[v.Name] = i
		}
	}
	seen := map[string]bool{}
	var out []ValueChange
	for i := range ta.Vlen() {
		v := ta.EnumValue(i)
		if seen[v.Name] {
			continue
		}
		seen[v.Name] = true
		old := enumValue(ta, i)
		j, ok := vb[v.Name]
		if !ok {
			out = append(out, ValueChange{Name: v.Name, Change: Removed, Old: &old})
			continue
		}
		if nv := enumValue(tb, j); nv != old {
			out = append(out, ValueChange{Name: v.Name, Change: Changed, Old: &old, New: &nv})
		}
	}
	for i := range tb.Vlen() {
		v := tb.EnumValue(i)
		if seen[v.Name] {
			continue
		}
		seen[v.Name] = true
		nv := enumValue(tb, i)
		out = append(out, ValueChange{Name: v.Name, Change: Added, New: &nv})
	}
	return out
}
