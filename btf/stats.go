package btf

import "strings"

// Stats summarises a spec's own types and strings (a split spec's, not its
// base's).
type Stats struct {
	// Types is the number of types, not counting void.
	Types int `json:"types"`
	// ByKind counts the types of each kind, by bpftool's kind name.
	ByKind map[string]int `json:"by_kind"`
	// Named counts the types with a name.
	Named int `json:"named"`
	// Members counts struct and union members, enum values, function
	// parameters and datasec variables.
	Members int `json:"members"`
	// TypeBytes and StringBytes are the sizes of the type and string
	// sections; Strings counts the strings.
	TypeBytes   int `json:"type_bytes"`
	StringBytes int `json:"string_bytes"`
	Strings     int `json:"strings"`
	// TotalBytes is the size of the raw encoding, header included.
	TotalBytes int `json:"total_bytes"`
	// FirstID is the id of the first type: 1, or more for split BTF.
	FirstID TypeID `json:"first_id"`
}

// Stats counts the spec's types by kind and measures its sections.
func (s *Spec) Stats() Stats {
	var byKind [MaxKind + 1]int
	st := Stats{
		Types:       s.NumTypes(),
		ByKind:      map[string]int{},
		TypeBytes:   s.TypesSize(),
		StringBytes: s.StringsSize(),
		Strings:     strings.Count(s.strs, "\x00"),
		TotalBytes:  s.MarshalSize(),
		FirstID:     s.firstID,
	}
	for t := range s.Types() {
		byKind[t.Kind()]++
		if t.w[0] != 0 {
			st.Named++
		}
		switch t.Kind() {
		case KindStruct, KindUnion, KindEnum, KindEnum64, KindFuncProto, KindDatasec:
			st.Members += t.Vlen()
		}
	}
	for k, n := range byKind {
		if n > 0 {
			st.ByKind[Kind(k).String()] = n
		}
	}
	return st
}
