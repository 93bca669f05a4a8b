// Package decode benchmarks btfhub's BTF decoder, btf.Decode, against the
// reference decoders on the same input in the same run:
//
//   - cilium/ebpf v0.22's btf.LoadSpecFromReader, with every type inflated,
//     on the vmlinux BTF of Debian 12's 6.1 kernel (95,057 types);
//   - libbpf 1.1's btf__parse_raw, through the C program
//     benchmarks/libbpf/parse_raw.c, on the same kernel's BTF before dedup
//     (3,404,422 types, 132 MB).
//
// The functions here are the work both sides do, shared by the testing.B
// benchmarks of this package and by the driver benchmarks/cmd/compare,
// which runs several rounds and prints the table of benchmarks/RESULTS.md.
//
// Inputs come from benchmarks/data/, which scripts/bench-data.sh (make
// bench-data) fills with the decompressed files of testdata/.
package decode
