// Package corerel reads BPF ELF objects and resolves their CO-RE
// relocations against a target kernel's BTF, deciding every relocation as
// libbpf 1.1 does (libbpf src/relo_core.c and the candidate search of
// src/libbpf.c).
//
// Open reads an object: its programs (one per function symbol of each code
// section, subprograms in .text included), their instructions, the ELF
// relocation records, the maps of the .maps section, .BTF and .BTF.ext.
// Relocate resolves every CO-RE relocation against a Target (a vmlinux
// spec plus optional module specs as split BTF) and returns, per
// relocation, the decision (value or poisoning) and what it touched in the
// target. Result.Object gives the object with every fixup applied and the
// CO-RE records removed from .BTF.ext, which any loader loads as it is.
//
// # Kconfig externs
//
// RelocateWithOptions also resolves the object's Kconfig externs
// (extern ... __kconfig) as libbpf's bpf_object__resolve_externs would on
// the target: CONFIG_* from Options.Kconfig, the target's config file;
// LINUX_KERNEL_VERSION from Options.Release; LINUX_HAS_BPF_COOKIE and
// LINUX_HAS_SYSCALL_WRAPPER from the target's BTF, where libbpf probes the
// running kernel; zero for a weak extern nothing sets. Result.KconfigData
// is then the value libbpf gives its .kconfig map, byte for byte.
//
// Result.Object writes these values into the relocated object, so that
// no loader resolves them again, possibly on another host:
//
//   - a new section KconfigSection (".rodata.kconfig") holds KconfigData.
//     libbpf, cilium/ebpf and other loaders make any .rodata* section a
//     read-only (BPF_F_RDONLY_PROG) array map that they freeze, as libbpf
//     does its .kconfig map, so the verifier reads the values as the
//     constants they are and prunes code by them just the same;
//   - each extern symbol becomes a defined STT_OBJECT, STB_GLOBAL,
//     STV_HIDDEN symbol of that section, at the extern's offset in the
//     .kconfig map; the relocations against it stay and now resolve as
//     references to global data (an extern's 64-bit load has its
//     immediate cleared, which libbpf ignores for externs but adds for
//     data);
//   - in .BTF, the DATASEC .kconfig becomes the DATASEC of the new section,
//     with its size and its variables' offsets and sizes, and the
//     variables' linkage global instead of extern. Type ids and string
//     offsets do not change.
//
// Loading the result with libbpf 1.1 gives the programs libbpf gives when
// it loads the original object on the target (the package's tests load
// both and compare the kernel's instructions). Options.KeepKconfig leaves
// the externs to the loader instead, as Relocate always does.
//
// An object that has a KconfigSection section was relocated already, for
// its target: RelocateWithOptions refuses it with ErrRelocated. An object
// relocated with its externs kept has neither CO-RE records nor a
// KconfigSection section, and relocates to itself, or with its externs
// written.
//
// The package never loads programs into the kernel.
package corerel
