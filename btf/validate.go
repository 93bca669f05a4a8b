package btf

import "fmt"

// Validate applies the rules of the kernel's BTF checker, kernel/bpf/btf.c
// as of Linux 6.18, to the spec: it accepts exactly the BTF that the
// BPF_BTF_LOAD command of bpf(2) accepts on a 64-bit 6.18 kernel, once the
// spec is in the kernel's byte order and within its size limit (16 MiB,
// BTF_MAX_SIZE). It checks, in the kernel's order:
//
//   - every record on its own, as btf_check_meta and the kinds'
//     check_meta functions do (btf_int_check_meta, btf_struct_check_meta,
//     btf_datasec_check_meta, ...): reserved info bits, vlen and kind flag
//     where a kind forbids them, names (btf_name_valid_identifier, at most
//     512 characters, and btf_name_valid_section for DATASEC), INT bits and
//     offsets, ENUM sizes, FUNC and VAR linkage, member and variable
//     offsets, DECL_TAG component indexes below -1;
//   - every reference, by the kernel's depth-first resolution (btf_resolve,
//     at most 32 deep): a struct or array that contains itself by value,
//     directly or through other types, is a loop ("Loop detected"), as is
//     any chain of modifiers back to its start; members must fit their
//     struct (btf_struct_resolve and the check_member functions), array
//     elements and indexes must have a size (btf_array_resolve), DATASEC
//     entries must be VARs no larger than their slot (btf_datasec_resolve),
//     DECL_TAG component indexes must name a member or parameter
//     (btf_decl_tag_resolve), FUNC_PROTO parameters and return types must
//     have a size (btf_func_proto_check);
//   - type tags before other modifiers in every chain (btf_check_type_tags).
//
// Where the kernel and a builder such as libbpf disagree, Validate follows
// the kernel. An INT of size 4294967295 is valid: btf_int_check_meta only
// requires that the bits (nr_bits plus bits_offset, at most 128) fit the
// size, and puts no upper bound on it. So are INTs of 0 bits and names of
// Latin-1 letters (the kernel's isalpha covers bytes 0xc0-0xff).
//
// The kernel rejects a .bpf.o's BTF as the compiler writes it (DATASEC sizes
// of 0, extern VAR and FUNC linkage) until libbpf has fixed it up; so does
// Validate. A split spec is checked over its base, which is checked first.
// Not checked: the special-field metadata of structs named bpf_spin_lock,
// bpf_list_head, bpf_rb_root and the like (btf_parse_struct_metas), which
// only concerns BTF that declares such structs.
//
// Validate returns the first violation as a *FormatError wrapping
// ErrInvalid (or ErrTypeLoop for a loop) that names the type id, the byte
// offset of the record or entry at fault, and the kernel's log message.
// It takes time and memory linear in the size of the spec and its bases.
func (s *Spec) Validate() error {
	_, err := s.check(false)
	return err
}

// ValidateObject is Validate for the BTF of a BPF object file (.bpf.o) as
// the compiler wrote it, before a loader such as libbpf has fixed it up. It
// applies every rule of Validate except those the fixups make hold: a
// DATASEC may have size 0 and variables at any offset (libbpf sets the
// section's size and the variables' offsets from the ELF symbols and sorts
// them), may hold FUNCs (extern functions in .ksyms), and VARs and FUNCs
// may be extern (libbpf resolves or rewrites externs before loading).
func (s *Spec) ValidateObject() error {
	_, err := s.check(true)
	return err
}

// check validates the spec and returns the checker holding its resolved
// types, which a split spec's check consults for the ids of its base.
func (s *Spec) check(object bool) (*checker, error) {
	var base *checker
	if s.base != nil {
		b, err := s.base.check(object)
		if err != nil {
			return nil, err
		}
		base = b
	}
	c := newChecker(s, base)
	c.object = object
	if s.base == nil && s.NumTypes() == 0 {
		return nil, formatErr(ErrInvalid, int64(s.hdrLen), 0, "No type found")
	}
	for i := range s.NumTypes() {
		if err := c.checkMeta(s.firstID + TypeID(i)); err != nil {
			return nil, err
		}
	}
	if err := c.checkAllTypes(); err != nil {
		return nil, err
	}
	if err := c.checkTypeTags(); err != nil {
		return nil, err
	}
	return c, nil
}

// Limits of kernel/bpf/btf.c and include/linux/btf.h.
const (
	kernelMaxType       = 0xfffff // BTF_MAX_TYPE
	kernelNameLen       = 512     // KSYM_NAME_LEN
	kernelResolveDepth  = 32      // MAX_RESOLVE_DEPTH
	kernelPtrSize       = 8       // sizeof(void *) on a 64-bit kernel
	kernelMaxU128Bits   = 128     // BITS_PER_U128
	kernelInfoMask      = 0x9f00ffff
	kernelIntDataMask   = 0x0fffffff
	kernelTypeTagChain  = 32 // chain_limit of btf_check_type_tags
	kernelIntBitfieldSz = 32 // sizeof(int) * BITS_PER_BYTE
)

// Character classes of the kernel's lib/ctype.c, which covers Latin-1:
// upper and lower case letters, digits, and printable characters.
const (
	ctU = 1 << iota
	ctL
	ctD
	ctP
	ctSP
)

// kernelCtype returns the lib/ctype.c class of byte c.
func kernelCtype(c byte) uint8 {
	switch {
	case c >= 'A' && c <= 'Z', c >= 0xc0 && c <= 0xde && c != 0xd7:
		return ctU
	case c >= 'a' && c <= 'z', c >= 0xdf && c != 0xf7:
		return ctL
	case c >= '0' && c <= '9':
		return ctD
	case c == ' ', c == 0xa0:
		return ctSP
	case c > ' ' && c < 0x7f, c >= 0xa1:
		return ctP
	}
	return 0
}

// identChar is __btf_name_char_ok: a letter (a digit after the first
// character), '_' or '.'.
func identChar(c byte, first bool) bool {
	class := uint8(ctU | ctL)
	if !first {
		class |= ctD
	}
	return kernelCtype(c)&class != 0 || c == '_' || c == '.'
}

// validIdent is btf_name_valid_identifier: 1 to 512 identifier characters.
func validIdent(name string) bool {
	if name == "" || len(name) > kernelNameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !identChar(name[i], i == 0) {
			return false
		}
	}
	return true
}

// validSectionName is btf_name_valid_section: 1 to 512 printable
// characters (isprint, which includes the space).
func validSectionName(name string) bool {
	if name == "" || len(name) > kernelNameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		if kernelCtype(name[i])&(ctU|ctL|ctD|ctP|ctSP) == 0 {
			return false
		}
	}
	return true
}

// shortName quotes a name for an error message, cut to 64 bytes.
func shortName(name string) string {
	if len(name) > 64 {
		return fmt.Sprintf("%q... (%d bytes)", name[:64], len(name))
	}
	return fmt.Sprintf("%q", name)
}
