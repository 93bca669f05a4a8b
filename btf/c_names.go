package btf

import "strconv"

// typeName returns the C name of a struct, union, enum or forward
// declaration: its own name the first time a name is used, name___N for the
// N-th type of that name. Names are given out the first time a type is
// written, as libbpf's btf_dump_type_name does, so the suffixes follow the
// order of the output.
func (d *cDumper) typeName(id TypeID, t Type) string {
	return d.resolveName(id, t, d.typeNames)
}

// identName returns the C name of a typedef, which shares its namespace
// with enumerators (libbpf's btf_dump_ident_name).
func (d *cDumper) identName(id TypeID, t Type) string {
	return d.resolveName(id, t, d.identNames)
}

func (d *cDumper) resolveName(id TypeID, t Type, seen map[string]int) string {
	if t.NameOff() == 0 {
		return ""
	}
	st := &d.states[id]
	if st.nameResolved {
		if n := d.names[id]; n != "" {
			return n
		}
		return t.Name()
	}
	st.nameResolved = true
	name := t.Name()
	// A forward declaration, or an enum without values, declares a name
	// rather than defining one, so it never clashes.
	if t.Kind() == KindFwd || (t.Kind() == KindEnum && t.Vlen() == 0) {
		return name
	}
	if n := cCountName(seen, name); n > 1 {
		// libbpf formats the name into a 256-byte buffer.
		u := name + "___" + strconv.Itoa(n)
		if len(u) > 255 {
			u = u[:255]
		}
		d.names[id] = u
		return u
	}
	return name
}

// cCountName records one more use of name and returns how many there have
// been (libbpf's btf_dump_name_dups).
func cCountName(seen map[string]int, name string) int {
	n := seen[name] + 1
	seen[name] = n
	return n
}
