// Package dedup deduplicates BTF as libbpf's btf__dedup does (libbpf 1.1,
// src/btf.c), with byte-identical results.
package dedup
