// Package dedup deduplicates BTF the way libbpf's btf__dedup does (libbpf
// 1.1, src/btf.c), with byte-identical results: Dedup's output, marshalled
// in the input's byte order, is what btf__raw_data gives after btf__dedup.
//
// # The problem
//
// A compiler, or pahole converting DWARF, describes types one compilation
// unit (CU) at a time. Concatenated, the CUs of a kernel hold every header
// type hundreds of times: 3.4 million types for about 95 thousand distinct
// ones. Worse, a CU that only saw `struct foo;` holds a FWD where another
// CU holds the full struct, so the copies are not even identical: the
// graph of types reachable from `struct task_struct` in one CU may end in
// FWDs that another CU fills in. Types also form cycles (a struct that
// points to itself), so equality cannot be decided by comparing trees.
//
// Deduplication picks, for every type, a canonical representative: the
// first type, in id order, that it is equivalent to. Only canonical types
// are kept, and every reference is redirected to its target's
// representative. A FWD whose struct is found elsewhere is represented by
// that struct.
//
// # The passes
//
// A canonical index maps a signature hash of a type (its kind, name, size
// and shape, but not the ids it refers to where those may not be final
// yet) to the canonical types with that signature. Each pass looks a type
// up there and either maps it to the first equivalent candidate or makes
// it canonical and adds it.
//
//  1. Strings. Every string the types use is stored once, in the order in
//     which a walk over the types (names first, then member, value and
//     parameter names) first meets it; unused strings go. For split BTF,
//     strings the base holds keep the base's offset.
//  2. Primitive types: INT, FLOAT and FWD match only identical types. An
//     ENUM or ENUM64 with no values (an enum forward declaration) matches
//     a full enum of the same name, and a full enum found after such a
//     forward declaration becomes the representative of the declaration.
//  3. Structs and unions. A struct is compared with each candidate of the
//     same signature by walking both type graphs side by side. A
//     hypothetical map records which type of the candidate's graph stands
//     for which type of the new one; meeting a type again (a cycle) is
//     fine if it stands for the same type as before and a contradiction
//     otherwise. A FWD on either side is equivalent to a struct or union of
//     its name and kind. Types already known to share a representative
//     are equivalent without looking further. When the graphs are
//     equivalent, the hypothetical map is kept: FWDs in it resolve to
//     their structs, and structs of the new graph that have no
//     representative yet get the candidate's. Two leniencies cover
//     compilers that emit the same array or struct twice within one CU:
//     exact duplicates count as the same type.
//  4. Remaining FWDs: a FWD still on its own resolves to the canonical
//     struct or union of its name, when there is exactly one such type
//     and it is of the FWD's kind.
//  5. Reference types: PTR, TYPEDEF (see below for libbpf 1.7), the qualifiers, TYPE_TAG, DECL_TAG,
//     FUNC, ARRAY and FUNC_PROTO. Once everything they refer to has a
//     representative (found recursively; in C, every cycle goes through a
//     struct or union, so the recursion ends), a reference type is final
//     and matches only exactly equal ones, ids included. VAR and DATASEC
//     are never merged.
//  6. Compaction: canonical types keep their order and get consecutive ids.
//  7. Remapping: every type id in the kept types, and optionally in a
//     .BTF.ext (see Options.Ext and Result.RemapExt),
//     becomes the new id of its target's representative.
//
// # Split BTF
//
// A split spec (a kernel module's, over vmlinux) is deduplicated against
// its base, which does not change: base types are canonical from the start
// and candidates in the index, so split types equal to base types vanish.
// A struct graph that would only be equivalent by resolving a base FWD to a
// split struct is not merged (the base FWD is still pointed at the split
// struct, so that split FWDs resolved through it land there).
//
// # Matching libbpf exactly
//
// Where several canonical candidates are equivalent to a type, libbpf takes
// the first in its hash map's bucket order, and that choice shows in the
// output. libbpf's hashmap (src/hashmap.c) prepends new entries to a
// bucket, and reverses the order of entries with the same key each time it
// grows; this package's index reproduces that order (see table.go) while
// using its own storage. Nothing else in the output depends on hashing.
//
// The input is never modified: where libbpf rewrites types in place, this
// package keeps a table of new string offsets and the rewritten records of
// canonical reference types. Types stay in the spec's flat storage and are
// read as words; the passes allocate a few arrays indexed by type id and
// nothing per type.
//
// # Where the time goes
//
// Each decision depends on the ones before, so the passes run one after
// the other, on one goroutine. (Earlier versions moved a walk noting
// every type's kind, and the reference types that lead to no struct, to a
// second goroutine; that bought little wall time for a tenth more CPU
// time.) The string pass's walk over the records also notes every type's
// kind, so that later passes visit only the types they deal with. Most of
// the time is the struct pass's equivalence checks, whose walks loop
// rather than recurse on a type's last part and decide the commonest
// cases of the others without a call.
//
// Valid BTF can make libbpf's struct pass cubic: a chain of n anonymous
// structs, each the only member of the one before, gives n structs of one
// signature, each compared with all those before it by a walk down the
// chain (libbpf 1.1 takes 16 s at 2,000 levels). Dedup counts the struct
// pass's work (candidates tried, and the steps of failed checks); past
// twice the number of types plus four million, far above what real
// kernels take, it keys the index by each candidate's shape too, a hash
// of what the check must find equal (shape.go says what that is, and why
// the decisions stay libbpf's), so that a lookup yields only candidates
// that can be equivalent, in libbpf's order. 20,000 levels then take
// under a second.
//
// A producer that writes the types in batches, each referring only to
// itself and to earlier ones (fromdwarf's encoder, one compilation unit at
// a time), can use a Stream instead: the primitive and struct passes, most
// of the work, then run on each batch as it arrives, while the producer
// writes the next. Stream's documentation says why that gives Dedup's
// result, and when it falls back to Dedup.
//
// # Differences from libbpf 1.1
//
// A typedef that refers back to itself through a pointer (Go's
// `type T *T`) makes libbpf 1.1 fail (btf_dedup_ref_type returns -ELOOP).
// btf.Decode rejects such loops through reference types, as the kernel
// does; btf.DecodeWith with AllowReferenceLoops accepts them. By default
// Dedup then fails as libbpf 1.1 does, with an error wrapping
// btf.ErrTypeLoop. With Options.Libbpf17 it does what later libbpf does
// (src/btf.c at commit 5b0f3729 on libbpf's master, after v1.7.0; the
// recursive typedef support is commit 37027144, released in v1.7.0):
// typedefs are deduplicated in the struct pass by type graph equivalence,
// hashed by name and info only, so the reference pass finds them mapped,
// and the identical-type leniency of pass 3 is libbpf 1.6's recursive
// btf_dedup_identical_types (pointers, typedefs and prototypes too, at most
// 16 deep). Those changes can pick other representatives than libbpf 1.1
// for ordinary input, which is why 1.1 stays the default; `btfhub dedup`
// uses Libbpf17 only for input with such loops. Where libbpf 1.7 would
// never return (its identical-type check follows a loop of pointers and
// typedefs without end), Dedup fails with an error wrapping
// btf.ErrTypeLoop.
//
// The recursion of the identical-struct check is bounded, which only
// matters for malformed input where a struct contains itself by value
// (libbpf would overflow its stack).
package dedup
