// Package diff compares the types of two BTF specs, such as the vmlinux
// BTF of two kernels, and reports the types added, removed and changed,
// down to the offset, type and size of each member.
//
// Compare matches types by kind and name (see Compare for anonymous types
// and duplicate names). WriteText writes a report for people, in the style
// of a unified diff; WriteJSON writes one JSON document for scripts.
//
// # JSON schema
//
// WriteJSON writes one object, followed by a newline:
//
//	{
//	  "a": "<name of the old spec>",           // as passed to WriteJSON
//	  "b": "<name of the new spec>",
//	  "added":   [TypeInfo, ...],               // in B only
//	  "removed": [TypeInfo, ...],               // in A only
//	  "changed": [TypeChange, ...]              // in both, different
//	}
//
//	TypeInfo:   {"kind": K, "name": "<name>", "size": <bytes>}
//
//	TypeChange: {"kind": K, "name": "<name>",
//	             "size":    {"old": <bytes>, "new": <bytes>},      // if changed
//	             "type":    {"old": "<C type>", "new": "<C type>"}, // typedef, var, func
//	             "detail":  {"old": "<text>", "new": "<text>"},     // kind, int encoding, linkage, enum signedness
//	             "members": [MemberChange, ...],                    // struct, union
//	             "values":  [ValueChange, ...]}                     // enum
//
//	MemberChange: {"name": "<path>", "change": "added"|"removed"|"changed",
//	               "old": Member, "new": Member,   // old absent when added, new when removed
//	               "values": [ValueChange, ...]}   // a member's anonymous enum
//
//	Member: {"type": "<C type>", "bit_offset": <bits from the start of the named type>,
//	         "bitfield_size": <bits, absent when not a bitfield>, "size": <bytes of the type>}
//
//	ValueChange: {"name": "<enumerator>", "change": "added"|"removed"|"changed",
//	              "old": <number>, "new": <number>}
//
// K is one of "struct", "union", "enum" (ENUM and ENUM64), "typedef",
// "func", "var", "int", "float", "fwd" or "datasec". Keys marked "if
// changed" and empty lists are left out, except the three top-level lists,
// which are always present. A member's path is its name, or "(anon N)" for
// the N-th anonymous member of its parent, joined with "." for members of
// anonymous members: "(anon 2).lock". Types are spelled as in C, with
// anonymous structs, unions and enums written "struct {...}". Lists are
// sorted by name, then kind; members follow A's order, then B's new ones.
package diff
