package corerel

import "github.com/btfhub/btfhub/btf"

// maxCompatDepth is the recursion bound libbpf gives its type comparisons
// (depth 32 in src/relo_core.c, level 32 in src/libbpf.c).
const maxCompatDepth = 32

// namesMatch reports whether two names are equal ignoring flavors; an
// empty target name matches only an empty local one (libbpf's
// bpf_core_names_match).
func namesMatch(local, targ string) bool {
	if targ == "" {
		return local == ""
	}
	return essentialName(local) == essentialName(targ)
}

// typesAreCompat is libbpf's __bpf_core_types_are_compat
// (src/relo_core.c), used for type_exists, type_size and target_type_id:
// kinds must fit; structs, unions, enums and FWDs are compatible whatever
// their contents; INTs unless they are bitfield-like; pointers and arrays
// by their targets; prototypes by arity, parameters and return type.
func typesAreCompat(ls *btf.Spec, lid btf.TypeID, ts *btf.Spec, tid btf.TypeID, level int) (bool, error) {
	lt, err := typeOf(ls, lid)
	if err != nil {
		return false, err
	}
	tt, err := typeOf(ts, tid)
	if err != nil {
		return false, err
	}
	if !kindsCompatible(lt.Kind(), tt.Kind()) {
		return false, nil
	}
	for depth := maxCompatDepth; ; {
		depth--
		if depth < 0 {
			return false, specErr("type comparison deeper than %d", maxCompatDepth)
		}
		if lt, err = skipMods(ls, lid); err != nil {
			return false, err
		}
		if tt, err = skipMods(ts, tid); err != nil {
			return false, err
		}
		if !kindsCompatible(lt.Kind(), tt.Kind()) {
			return false, nil
		}
		switch lt.Kind() {
		case btf.KindUnknown, btf.KindStruct, btf.KindUnion, btf.KindEnum, btf.KindFwd, btf.KindEnum64:
			return true, nil
		case btf.KindInt:
			return lt.Int().Offset == 0 && tt.Int().Offset == 0, nil
		case btf.KindPointer:
			lid, tid = lt.Ref(), tt.Ref()
		case btf.KindArray:
			lid, tid = lt.Array().Type, tt.Array().Type
		case btf.KindFuncProto:
			if lt.Vlen() != tt.Vlen() {
				return false, nil
			}
			for i := range lt.Vlen() {
				if level <= 0 {
					return false, specErr("type comparison deeper than %d", maxCompatDepth)
				}
				lp, err := skipMods(ls, lt.Param(i).Type)
				if err != nil {
					return false, err
				}
				tp, err := skipMods(ts, tt.Param(i).Type)
				if err != nil {
					return false, err
				}
				ok, err := typesAreCompat(ls, lp.ID(), ts, tp.ID(), level-1)
				if err != nil || !ok {
					return ok, err
				}
			}
			lid, tid = lt.Ref(), tt.Ref()
		default:
			return false, nil
		}
	}
}

// fieldsAreCompat is libbpf's bpf_core_fields_are_compat: whether a local
// member's type may be relocated to a target member's type. Any two
// composites are compatible; FWDs and enums when their names match ignoring
// flavors or either is anonymous; pointers and floats always; INTs unless
// bitfield-like; arrays by their element types.
func fieldsAreCompat(ls *btf.Spec, lid btf.TypeID, ts *btf.Spec, tid btf.TypeID) (bool, error) {
	for range ls.NextID() + ts.NextID() + 2 {
		lt, err := skipMods(ls, lid)
		if err != nil {
			return false, err
		}
		tt, err := skipMods(ts, tid)
		if err != nil {
			return false, err
		}
		if lt.Kind().IsComposite() && tt.Kind().IsComposite() {
			return true, nil
		}
		if !kindsCompatible(lt.Kind(), tt.Kind()) {
			return false, nil
		}
		switch lt.Kind() {
		case btf.KindPointer, btf.KindFloat:
			return true, nil
		case btf.KindFwd, btf.KindEnum, btf.KindEnum64:
			ln, tn := essentialName(lt.Name()), essentialName(tt.Name())
			return ln == "" || tn == "" || ln == tn, nil
		case btf.KindInt:
			return lt.Int().Offset == 0 && tt.Int().Offset == 0, nil
		case btf.KindArray:
			lid, tid = lt.Array().Type, tt.Array().Type
		default:
			return false, nil
		}
	}
	return false, specErr("array loop")
}

// typesMatch is libbpf's __bpf_core_types_match (src/relo_core.c), the
// stricter relation of type_matches relocations.
func typesMatch(ls *btf.Spec, lid btf.TypeID, ts *btf.Spec, tid btf.TypeID, behindPtr bool, level int) (bool, error) {
	if level <= 0 {
		return false, specErr("type comparison deeper than %d", maxCompatDepth)
	}
	for depth := maxCompatDepth; ; {
		depth--
		if depth < 0 {
			return false, specErr("type comparison deeper than %d", maxCompatDepth)
		}
		lt, err := skipMods(ls, lid)
		if err != nil {
			return false, err
		}
		tt, err := skipMods(ts, tid)
		if err != nil {
			return false, err
		}
		if !namesMatch(lt.Name(), tt.Name()) {
			return false, nil
		}
		lk, tk := lt.Kind(), tt.Kind()
		switch lk {
		case btf.KindUnknown:
			return lk == tk, nil
		case btf.KindFwd:
			lf := lt.KindFlag()
			if behindPtr && lk != tk {
				return tk == btf.KindStruct && !lf || tk == btf.KindUnion && lf, nil
			}
			return lk == tk && lf == tt.KindFlag(), nil
		case btf.KindEnum, btf.KindEnum64:
			if !isEnum(tk) {
				return false, nil
			}
			return enumsMatch(lt, tt), nil
		case btf.KindStruct, btf.KindUnion:
			if behindPtr {
				if lk == tk {
					return true, nil
				}
				if tk != btf.KindFwd {
					return false, nil
				}
				return (lk == btf.KindUnion) == tt.KindFlag(), nil
			}
			if lk != tk {
				return false, nil
			}
			return compositesMatch(lt, tt, behindPtr, level)
		case btf.KindInt:
			if lk != tk {
				return false, nil
			}
			return lt.Size() == tt.Size() && lt.Int().Encoding&btf.IntSigned == tt.Int().Encoding&btf.IntSigned, nil
		case btf.KindPointer:
			if lk != tk {
				return false, nil
			}
			behindPtr = true
			lid, tid = lt.Ref(), tt.Ref()
		case btf.KindArray:
			if lk != tk {
				return false, nil
			}
			la, ta := lt.Array(), tt.Array()
			if la.Nelems != ta.Nelems {
				return false, nil
			}
			lid, tid = la.Type, ta.Type
		case btf.KindFuncProto:
			if lk != tk || lt.Vlen() != tt.Vlen() {
				return false, nil
			}
			for i := range lt.Vlen() {
				ok, err := typesMatch(ls, lt.Param(i).Type, ts, tt.Param(i).Type, behindPtr, level-1)
				if err != nil || !ok {
					return ok, err
				}
			}
			lid, tid = lt.Ref(), tt.Ref()
		default:
			return false, nil
		}
	}
}

// enumsMatch is libbpf's bpf_core_enums_match: same size, and every local
// value name present in the target.
func enumsMatch(lt, tt btf.Type) bool {
	if lt.Size() != tt.Size() || lt.Vlen() > tt.Vlen() {
		return false
	}
	for i := range lt.Vlen() {
		ln := lt.EnumValue(i).Name
		found := false
		for j := range tt.Vlen() {
			if namesMatch(ln, tt.EnumValue(j).Name) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// compositesMatch is libbpf's bpf_core_composites_match: every local member
// has a target member of a matching name whose type matches.
func compositesMatch(lt, tt btf.Type, behindPtr bool, level int) (bool, error) {
	if lt.Vlen() > tt.Vlen() {
		return false, nil
	}
	for i := range lt.Vlen() {
		lm := lt.Member(i)
		found := false
		for j := range tt.Vlen() {
			tm := tt.Member(j)
			if !namesMatch(lm.Name, tm.Name) {
				continue
			}
			ok, err := typesMatch(lt.Spec(), lm.Type, tt.Spec(), tm.Type, behindPtr, level-1)
			if err != nil {
				return false, err
			}
			if ok {
				found = true
				break
			}
		}
		if !found {
			return false, nil
		}
	}
	return true, nil
}
