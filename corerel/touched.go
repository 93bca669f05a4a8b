package corerel

import "github.com/btfhub/btfhub/btf"

// This file exposes, for package minimize, what the matching of this
// package relies on beyond what Match records: the flavor rule for names,
// and the target members a type_matches decision reads. Both are derived
// from the matching code itself (essentialName, typesMatch), never a copy
// of it.

// EssentialName returns a type or field name without its flavor suffix
// ("task_struct___v1" gives "task_struct"), as candidates are searched
// (libbpf's bpf_core_essential_name_len, src/libbpf.c).
func EssentialName(name string) string { return essentialName(name) }

// TypeMatchMembers reports, through visit, every target struct or union
// member that the type_matches relation between the local type lid of
// local and the target type tid of target rests on: for each local member
// of a composite compared by value (not behind a pointer), the first
// target member that matches it, in the order libbpf's
// bpf_core_composites_match tries them, and recursively the members those
// rest on. Composites behind a pointer are compared by name and kind only
// and contribute no member.
//
// Call it for a pair that matches (a Match of a type_matches relocation):
// for a pair that does not, it reports the members of the parts that do.
// Each decision below is the one typesMatch makes, so what visit receives
// is exactly what a minimized target must keep for the relation to hold.
func TypeMatchMembers(local *btf.Spec, lid btf.TypeID, target *btf.Spec, tid btf.TypeID, visit func(composite btf.TypeID, member int)) error {
	return typeMatchMembers(local, lid, target, tid, false, maxCompatDepth, visit)
}

// typeMatchMembers follows the steps of typesMatch (compat.go) from a
// matching pair.
func typeMatchMembers(ls *btf.Spec, lid btf.TypeID, ts *btf.Spec, tid btf.TypeID, behindPtr bool, level int, visit func(btf.TypeID, int)) error {
	if level <= 0 {
		return specErr("type comparison deeper than %d", maxCompatDepth)
	}
	for depth := maxCompatDepth; depth > 0; depth-- {
		lt, err := skipMods(ls, lid)
		if err != nil {
			return err
		}
		tt, err := skipMods(ts, tid)
		if err != nil {
			return err
		}
		if lt.Kind() != tt.Kind() {
			return nil // FWD against a composite, or ENUM against ENUM64: no members
		}
		switch lt.Kind() {
		case btf.KindStruct, btf.KindUnion:
			if behindPtr {
				return nil
			}
			for i := range lt.Vlen() {
				lm := lt.Member(i)
				for j := range tt.Vlen() {
					tm := tt.Member(j)
					if !namesMatch(lm.Name, tm.Name) {
						continue
					}
					ok, err := typesMatch(ls, lm.Type, ts, tm.Type, behindPtr, level-1)
					if err != nil {
						return err
					}
					if !ok {
						continue
					}
					visit(tt.ID(), j)
					if err := typeMatchMembers(ls, lm.Type, ts, tm.Type, behindPtr, level-1, visit); err != nil {
						return err
					}
					break
				}
			}
			return nil
		case btf.KindPointer:
			behindPtr = true
			lid, tid = lt.Ref(), tt.Ref()
		case btf.KindArray:
			lid, tid = lt.Array().Type, tt.Array().Type
		case btf.KindFuncProto:
			for i := range min(lt.Vlen(), tt.Vlen()) {
				if err := typeMatchMembers(ls, lt.Param(i).Type, ts, tt.Param(i).Type, behindPtr, level-1, visit); err != nil {
					return err
				}
			}
			lid, tid = lt.Ref(), tt.Ref()
		default:
			return nil
		}
	}
	return specErr("type comparison deeper than %d", maxCompatDepth)
}
