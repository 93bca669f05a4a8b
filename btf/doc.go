// Package btf reads, checks, builds and writes BTF, the BPF Type Format.
//
// BTF describes C types compactly: the kernel exposes its own in
// /sys/kernel/btf/vmlinux, kernel modules and BPF objects carry theirs in a
// .BTF ELF section, and BPF CO-RE loaders match a program's BTF against the
// kernel's to adjust its field accesses.
//
// # Layout
//
// A raw BTF blob (linux/btf.h) is a 24-byte header, a type section and a
// string section. Each type is a 12-byte record (name offset, info word with
// kind, vlen and kind flag, and a size or a type id) followed by
// kind-specific words: members, enum values, parameters, variables. Type ids
// are implicit: the first record has id 1 (id 0 is void), the next id 2, and
// so on. Split BTF, such as a module's, continues the ids and string offsets
// of a base: its first type has the id after the base's last, and its
// string offsets start where the base's strings end.
//
// # Storage
//
// A Spec keeps the type section as a flat slice of host-order 32-bit words,
// an id-indexed slice of record offsets, and the string section as one
// string. A Type is a view into that storage: reading a type's members,
// names and sizes allocates nothing, and the pre-deduplication BTF of a
// whole kernel (3.4 million types) fits in about twice its encoded size.
// Marshal writes the same bytes back, in either byte order.
//
// # Checking
//
// Decode accepts only input that every later step can trust, in the spirit
// of libbpf's btf__parse and the kernel's checker (kernel/bpf/btf.c):
//
//   - the header: magic in either byte order, version 1, no flags, zero
//     extra header bytes, the type section (4-byte aligned) directly
//     followed by the string section, which ends the data;
//   - the strings: a base's start with the empty string, and the section
//     ends in NUL;
//   - every record: a known kind, and a vlen whose entries fit in the type
//     section;
//   - every string offset within the strings, and every type id at most the
//     last id (of the base too, for split BTF);
//   - no chain of references that returns to its start without passing
//     through a struct or union.
//
// Every failure is a *FormatError that names the byte offset and the type
// id, and wraps a sentinel error such as ErrTruncated or ErrTypeLoop.
// No allocation is sized by a header field before that field is checked
// against the input's length. Spec.Validate applies the kernel's per-kind
// rules on top.
//
// # Output
//
// WriteText prints what "bpftool btf dump file" prints, WriteJSON what
// "bpftool -j btf dump file" prints, and WriteC a C header like bpftool's
// "format c". MarshalELF wraps the BTF in an ELF file for loaders that look
// for a vmlinux image. The Builder assembles new specs.
package btf
