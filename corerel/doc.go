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
// The package never loads programs into the kernel.
package corerel
