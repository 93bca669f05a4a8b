// Package fromdwarf encodes the DWARF debug information of a Linux kernel
// (vmlinux) or kernel module as BTF, for kernels built without BTF: it is
// the pure Go counterpart of pahole -J, following pahole 1.24
// (btf_encoder.c, dwarf_loader.c) so that its output matches pahole's.
//
// # Pipeline
//
// Encode maps the ELF file, reads its symbol table, and encodes each
// compilation unit (CU) of .debug_info on its own, in parallel over
// Options.Jobs goroutines. A CU gives one BTF type per type DIE, with
// CU-local ids and strings. The CUs are merged in .debug_info order into
// one type section, exactly as pahole's single encoder appends them, and
// the result goes to package dedup, which does what libbpf's btf__dedup
// does for pahole. The DIE reader is this package's own (DWARF 2 to 5,
// gcc and clang forms, 32- and 64-bit DWARF); it decodes attributes into a
// fixed struct without allocating per DIE. Relocatable files (modules)
// have their .debug_info relocated first (x86-64 and arm64).
//
// # What is encoded
//
//   - Base types: INT with the DWARF encoding (signed, bool); sizes that
//     are not a power of two (DWARF 5's DW_ATE_unsigned_24 and such) become
//     pahole's 4-byte "__SANITIZED_FAKE_INT__". Floating point types are
//     FLOAT, or INT when Features.NoFloat is set (pahole without
//     --btf_gen_floats).
//   - Pointers (C++ references too), const, volatile, restrict, typedefs.
//     _Atomic is seen through.
//   - Structs and unions, with bitfields (the kind flag set when any
//     member is one, bit offsets from DW_AT_data_bit_offset or from DWARF
//     4's DW_AT_bit_offset) and anonymous members; a declaration is a FWD.
//   - Enums: ENUM, signed when a value is negative; ENUM64 for enums wider
//     than 4 bytes, signed when the underlying type is (Features.NoEnum64
//     gives an 8-byte ENUM of the values' low 32 bits instead). A
//     declared-only enum is an empty 4-byte ENUM.
//   - Arrays: one ARRAY per DWARF array, multi-dimensional arrays
//     flattened into one dimension of the product of the lengths, indexed
//     by "int", as pahole 1.24 does.
//   - Function prototypes (FUNC_PROTO, with a trailing void parameter for
//     variadic functions).
//   - FUNC: see below.
//   - VAR and one DATASEC ".data..percpu" for the per-cpu variables: the
//     global DWARF variables whose address is that of a sized STT_OBJECT
//     symbol of .data..percpu, named after the symbol.
//   - DECL_TAG for clang's btf_decl_tag annotations on structs, unions,
//     members, typedefs, functions, parameters and per-cpu variables, and
//     TYPE_TAG for btf_type_tag annotations on pointers.
//
// Features turns off the kinds old consumers cannot read, as pahole's
// --skip_encoding_btf_* options do.
//
// # The FUNC set
//
// As in pahole 1.24 (btf_encoder__encode_cu), a subprogram DIE gets a FUNC
// (with static linkage) when it is not a declaration, every parameter has
// a name, and an STT_FUNC symbol of the ELF file has its name (or, in a
// file without function symbols, when it is external). The first CU, in
// .debug_info order, to have such a subprogram for a name wins; later
// ones are skipped even when their prototype differs. Names come from
// DW_AT_abstract_origin or DW_AT_specification when the DIE has none, so
// out-of-line copies of inline functions count. Symbols with suffixes
// (foo.cold, foo.isra.0, foo.part.1, foo.constprop.0) match no DWARF
// name and give no FUNC, as in pahole 1.24.
//
// On the Debian 6.1.0-53-cloud-amd64 vmlinux this gives exactly the FUNC
// set of single-threaded pahole 1.24 (41,553 FUNCs, 94,630 types in all).
// It differs from two other references, for reasons that are pahole's:
//
//   - pahole -j N: each of its N encoders keeps its own record of the
//     functions already encoded, so a static function defined in several
//     CUs under one name with different prototypes (m_show, s_next,
//     name_show, ...) is encoded once per thread that meets it, and which
//     prototypes appear depends on thread scheduling. On that vmlinux
//     pahole -j2 gave 211 more FUNCs (41,764). We keep the deterministic,
//     single-threaded semantics whatever Options.Jobs is.
//   - The kernel's own .BTF (made by pahole at build time with -j and
//     --btf_gen_floats): the same kind of extra FUNCs (41,943 FUNCs).
//
// Other kinds match both references exactly in count and layout. The
// whole output is byte for byte that of single-threaded pahole 1.24 with
// --btf_gen_floats (and libbpf 1.1's dedup) on that vmlinux, on its
// modules as split BTF, and on the gcc and clang test objects; so is the
// output before dedup (Options.NoDedup), compared with what pahole handed
// to btf__dedup. For that, types are numbered as pahole numbers them (in
// DIE post-order: nested types and a pointer's type tags before their
// parent), the array index type is the first unit's "int" for every unit,
// and strings enter the string section in pahole's order.
//
// Options.ConsistentFuncs (btfhub encode --consistent-funcs) follows
// pahole 1.25's --skip_encoding_btf_inconsistent_proto (1.26:
// --btf_features=consistent_func) instead: a function whose subprograms
// have different prototypes, in different CUs or in one, gets no FUNC, since
// a tracing program attached to it by name could not know its arguments.
// Prototypes differ when their parameter counts, return types or
// parameter types do, types compared as C spells them without qualifiers
// (typedefs, structs, unions and enums by name, a struct's declaration and
// definition alike); parameter names do not count. The FUNCs of functions
// with an ELF symbol then come after every CU's types and VARs, sorted by
// name, as pahole adds its saved functions (btf_encoder.c:
// btf_encoder__add_saved_funcs); whatever Options.Jobs is, the first CU in
// .debug_info order gives the prototype. On the 6.1 vmlinux this leaves
// 41,465 FUNCs instead of 41,553 (and 22,435 FUNC_PROTOs instead of
// 22,476; the other kinds are unchanged). pahole 1.26, single-threaded,
// leaves 41,475 FUNCs (78 fewer; the list and the command that made it
// are in testdata/pahole-1.26-inconsistent-6.1.0-53.txt). The
// differences are deliberate:
//
//   - 17 functions pahole keeps though their prototypes differ, such as
//     sf_setstate (struct ip_mc_list * in one CU, struct ifmcaddr6 * in
//     another) and mod_lruvec_page_state (parameters in another order in
//     an optimized copy). pahole 1.25 and 1.26 (funcs__match) take two
//     prototypes as equal without comparing their parameters when their
//     return types have the same index in their CUs' type tables, which
//     is always so for void and often for int, and when there are no
//     parameters (native_save_fl returns void in one CU, unsigned long in
//     another). pahole 1.28 replaced that test by a comparison of the
//     types (types__match).
//   - 7 functions pahole drops only because a parameter is in another
//     register than the calling convention's (dwarf_loader.c
//     parameter__new, "unexpected_reg"), which needs the parameters'
//     location lists; we keep them. (5 more have such a parameter and
//     inconsistent prototypes; both drop them.)
//
// On modules, as split BTF, the FUNC set is pahole 1.26's (nf_conntrack:
// 262 FUNCs).
//
// # dwz
//
// DWARF compressed by dwz has DW_TAG_partial_unit units holding the DIEs
// that several units share, which those units import with
// DW_TAG_imported_unit. The encoder follows the imports: each unit is
// encoded with the partial units it imports, transitively, and with those
// its DIEs refer to without importing them; partial units are not encoded
// on their own. (pahole 1.24 stops at imported units and writes no BTF for
// such files.) The BTF, once deduplicated, has the same types as that of
// the files before dwz, in another order.
//
// dwz -m moves what several files share into a supplementary file, which
// they name in a .gnu_debugaltlink section (a path, then the supplementary
// file's build-id) or, with dwz -5, in DWARF 5's .debug_sup; their DIEs
// refer to it with DW_FORM_GNU_ref_alt or DW_FORM_ref_sup4/8, and to its
// strings with DW_FORM_GNU_strp_alt or DW_FORM_strp_sup. Distributions
// ship debuginfo this way (SUSE's kernel-default-debuginfo holds
// /usr/lib/debug/.dwz/kernel-default-VERSION.ARCH). The encoder reads the
// supplementary file too: Options.AltData or Options.AltFile when given,
// otherwise the file at the link's path (relative to the input's directory
// when relative), then /usr/lib/debug/.build-id/xx/yyyy.debug, as elfutils'
// dwarf_getalt does. Its build-id must be the link's (ErrAltMismatch);
// not finding it is an error (ErrNoAltFile) naming the paths tried.
// ReadAltLink reads the link, for callers that find the file themselves.
//
// # Packages
//
// ScanPackage (ScanPackageFile) reads the ELF files it is asked for (a
// vmlinux, modules) out of a kernel debug package as a stream, with the
// supplementary file the package holds for each: at the link's path, or in
// a .dwz directory with the link's build-id, before or after the file in
// the stream; PackageELF.Options passes it to Encode. ReadPackageVmlinux
// reads a package's vmlinux that way. VmlinuxEncoder, the encoder of
// archive add, finds the supplementary file among the files of the
// package the archive keeps for it: those of .dwz directories, and the one
// at the path the link names (FindAlt, AltPath, EncodeVmlinuxAlt).
//
// Nothing is unpacked to disk, so a vmlinux (588 MB for Debian's 6.1) is
// held in memory while it is encoded: outside the Go heap
// (pkgread.Buffer), where it does not raise the garbage collector's
// target, and with the parts encoding never reads given back as soon as
// the file is read (the relocations that --emit-relocs leaves in a linked
// vmlinux, 400 MB of it, code, data, line tables, location lists). The
// sections encoding reads are used in place (EncodeBytes).
//
// # Warnings
//
// References across units that are not imports (DW_FORM_ref_addr into
// another CU, as LTO builds have) become void, with a warning that names
// the CU and the DIE offset (DIEError); so do references to DIEs that are
// not types, and references into type units (-fdebug-types-section,
// DW_FORM_ref_sig8), which are not followed.
//
// A corrupt or truncated ELF file, DWARF section or package is an error
// (ErrMalformed for DWARF that cannot be decoded), never a panic; bounds
// come from the input's own sizes, checked against the data.
package fromdwarf
