package corerel

// essentialName returns name without its flavor: the part before the last
// "___" that is followed by something other than '_' and preceded by
// something other than '_' ("task_struct___v1" gives "task_struct"). It is
// libbpf's bpf_core_essential_name_len (src/libbpf.c), which looks for the
// pattern X___Y where X and Y are not underscores, from the end of the name.
func essentialName(name string) string {
	for i := len(name) - 5; i >= 0; i-- {
		if isFlavorSep(name[i:]) {
			return name[:i+1]
		}
	}
	return name
}

// isFlavorSep reports whether s starts with X___Y, X and Y not '_'
// (libbpf's bpf_core_is_flavor_sep).
func isFlavorSep(s string) bool {
	return len(s) >= 5 && s[0] != '_' && s[1] == '_' && s[2] == '_' && s[3] == '_' && s[4] != '_'
}
