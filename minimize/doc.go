// Package minimize cuts a kernel's BTF down to what a set of BPF objects'
// CO-RE relocations read from it, a few kilobytes instead of several
// megabytes, so that tools can carry BTF for kernels that have none. It
// makes the decisions bpftool's `gen min_core_btf` makes (bpftool
// src/gen.c, the btfgen_* functions), on the matches package corerel
// computes, and never matches types itself:
//
//   - a field relocation keeps, in every matched target type, the members
//     on its access path (anonymous members included) and their types;
//   - a type relocation (type_exists, type_size, target_type_id) keeps the
//     type, following pointers, arrays and prototypes; structs and unions
//     reached that way keep their size and lose the members nobody needs;
//   - an enum value relocation keeps the whole enum;
//   - a type_matches relocation keeps what libbpf's matching compares:
//     names, kinds, sizes and signedness, and for each local member of a
//     composite compared by value, the target member it matched
//     (corerel.TypeMatchMembers);
//   - a pointer to a type nobody needs becomes a pointer to void, and every
//     other type is dropped.
//
// Unlike bpftool, every candidate a relocation matched is kept, not only
// the first: libbpf prunes the candidates of a local type after each
// relocation, and keeping them all is what makes relocating against the
// minimized BTF decide exactly as against the full one.
//
// Types appear in the order the relocations first reach them (objects in
// the order given, relocations in .BTF.ext order), not in the target's id
// order, which moves with every kernel build: so the minimized BTF of many
// kernels for the same objects line up, and compress against each other.
// The same inputs give the same bytes.
//
// A Bundle (bundle.go) collects the minimized BTF of many kernels into one
// archive pack, which shares the types the kernels have in common.
package minimize
