package btf

import "iter"

// Members iterates over the members of a STRUCT or UNION, with their
// indexes; over nothing for other kinds.
func (t Type) Members() iter.Seq2[int, Member] {
	return entries(t.Kind().IsComposite(), t.Vlen(), t.Member)
}

// Params iterates over the parameters of a FUNC_PROTO, with their
// indexes; over nothing for other kinds.
func (t Type) Params() iter.Seq2[int, Param] {
	return entries(t.Kind() == KindFuncProto, t.Vlen(), t.Param)
}

// EnumValues iterates over the values of an ENUM or ENUM64, with their
// indexes; over nothing for other kinds.
func (t Type) EnumValues() iter.Seq2[int, EnumValue] {
	k := t.Kind()
	return entries(k == KindEnum || k == KindEnum64, t.Vlen(), t.EnumValue)
}

// VarSecinfos iterates over the variables of a DATASEC, with their
// indexes; over nothing for other kinds.
func (t Type) VarSecinfos() iter.Seq2[int, VarSecinfo] {
	return entries(t.Kind() == KindDatasec, t.Vlen(), t.VarSecinfo)
}

// entries iterates over at(0) to at(n-1) when ok, over nothing otherwise.
func entries[E any](ok bool, n int, at func(int) E) iter.Seq2[int, E] {
	return func(yield func(int, E) bool) {
		if !ok {
			return
		}
		for i := range n {
			if !yield(i, at(i)) {
				return
			}
		}
	}
}
