package corerel

import "github.com/btfhub/btfhub/btf"

// matchMember looks for the local named member acc in the target struct
// or union tid, descending into anonymous members, and extends ts with the
// path to it (libbpf's bpf_core_match_member). It returns the matched
// member's type id.
func matchMember(ls *btf.Spec, acc Accessor, ts *coreSpec, tid btf.TypeID) (bool, btf.TypeID, error) {
	tt, err := skipMods(ts.spec, tid)
	if err != nil {
		return false, 0, err
	}
	if !tt.Kind().IsComposite() {
		return false, 0, nil
	}
	lt, err := typeOf(ls, acc.TypeID)
	if err != nil {
		return false, 0, err
	}
	lm := lt.Member(acc.Index)
	for i := range tt.Vlen() {
		m := tt.Member(i)
		if len(ts.raw) == maxSpecLen {
			return false, 0, specErr("target type [%d] nests deeper than %d", tt.ID(), maxSpecLen)
		}
		ts.bitOffset += m.BitOffset
		ts.raw = append(ts.raw, i)
		if m.Name == "" {
			ok, next, err := matchMember(ls, acc, ts, m.Type)
			if err != nil || ok {
				return ok, next, err
			}
		} else if m.Name == lm.Name {
			ts.acc = append(ts.acc, Accessor{TypeID: tt.ID(), Index: i, Name: m.Name})
			ok, err := fieldsAreCompat(ls, lm.Type, ts.spec, m.Type)
			if err != nil {
				return false, 0, err
			}
			if !ok {
				ts.acc = ts.acc[:len(ts.acc)-1]
			}
			return ok, m.Type, nil
		}
		ts.bitOffset -= m.BitOffset
		ts.raw = ts.raw[:len(ts.raw)-1]
	}
	return false, 0, nil
}

// specMatch matches a local spec against the candidate target type tid of
// spec tgt and returns the target spec when it matches (libbpf's
// bpf_core_spec_match).
func specMatch(local *coreSpec, tgt *btf.Spec, tid btf.TypeID) (*coreSpec, bool, error) {
	ts := &coreSpec{spec: tgt, rootID: tid, kind: local.kind}
	if local.kind.IsType() {
		var ok bool
		var err error
		if local.kind == btf.CORETypeMatches {
			ok, err = typesMatch(local.spec, local.rootID, tgt, tid, false, maxCompatDepth)
		} else {
			ok, err = typesAreCompat(local.spec, local.rootID, tgt, tid, maxCompatDepth)
		}
		return ts, ok, err
	}
	if local.kind.IsEnumValue() {
		tt, err := skipMods(tgt, tid)
		if err != nil {
			return ts, false, err
		}
		if !isEnum(tt.Kind()) {
			return ts, false, nil
		}
		want := essentialName(local.acc[0].Name)
		for i := range tt.Vlen() {
			name := tt.EnumValue(i).Name
			if essentialName(name) == want {
				ts.acc = append(ts.acc, Accessor{TypeID: tt.ID(), Index: i, Name: name})
				ts.raw = append(ts.raw, i)
				return ts, true, nil
			}
		}
		return ts, false, nil
	}
	if !local.kind.IsField() {
		return ts, false, specErr("unknown relocation kind %d", uint32(local.kind))
	}
	for i, la := range local.acc {
		tt, err := skipMods(tgt, tid)
		if err != nil {
			return ts, false, err
		}
		tid = tt.ID()
		if la.Name != "" {
			ok, next, err := matchMember(local.spec, la, ts, tid)
			if err != nil || !ok {
				return ts, false, err
			}
			tid = next
			continue
		}
		if i > 0 {
			if tt.Kind() != btf.KindArray {
				return ts, false, nil
			}
			a := tt.Array()
			if !isFlexArray(tgt, ts.acc[len(ts.acc)-1], a) && la.Index >= int(a.Nelems) {
				return ts, false, nil
			}
			et, err := skipMods(tgt, a.Type)
			if err != nil {
				return ts, false, err
			}
			tid = et.ID()
		}
		if len(ts.raw) == maxSpecLen {
			return ts, false, specErr("target type nests deeper than %d", maxSpecLen)
		}
		ts.acc = append(ts.acc, Accessor{TypeID: tid, Index: la.Index})
		ts.raw = append(ts.raw, la.Index)
		sz, err := resolveSize(tgt, tid)
		if err != nil {
			return ts, false, err
		}
		ts.bitOffset += uint32(int64(la.Index) * sz * 8)
	}
	return ts, true, nil
}
