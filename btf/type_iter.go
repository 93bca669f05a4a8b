package btf

import "iter"

// Members iterates over the members of a STRUCT or UNION, with their
// indexes; over nothing for other kinds.
func (t Type) Members() iter.Seq2[int, Member] {
	return func(yield func(int, Member) bool) {
		if !t.Kind().IsComposite() {
			return
		}
		for i := range t.Vlen() {
			if !yield(i, t.Member(i)) {
				return
			}
		}
	}
}

// Params iterates over the parameters of a FUNC_PROTO, with their
// indexes; over nothing for other kinds.
func (t Type) Params() iter.Seq2[int, Param] {
	return func(yield func(int, Param) bool) {
		if t.Kind() != KindFuncProto {
			return
		}
		for i := range t.Vlen() {
			if !yield(i, t.Param(i)) {
				return
			}
		}
	}
}

// EnumValues iterates over the values of an ENUM or ENUM64, with their
// indexes; over nothing for other kinds.
func (t Type) EnumValues() iter.Seq2[int, EnumValue] {
	return func(yield func(int, EnumValue) bool) {
		if k := t.Kind(); k != KindEnum && k != KindEnum64 {
			return
		}
		for i := range t.Vlen() {
			if !yield(i, t.EnumValue(i)) {
				return
			}
		}
	}
}

// VarSecinfos iterates over the variables of a DATASEC, with their
// indexes; over nothing for other kinds.
func (t Type) VarSecinfos() iter.Seq2[int, VarSecinfo] {
	return func(yield func(int, VarSecinfo) bool) {
		if t.Kind() != KindDatasec {
			return
		}
		for i := range t.Vlen() {
			if !yield(i, t.VarSecinfo(i)) {
				return
			}
		}
	}
}
