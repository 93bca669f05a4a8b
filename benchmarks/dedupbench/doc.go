// Package dedupbench compares btfhub's dedup package with libbpf 1.1's
// btf__dedup on the pre-dedup BTF of Debian's 6.1 kernel (3.4 million
// types), both tools in the same run.
//
//	make bench-data
//	cd benchmarks && go test -run '^$' -bench Dedup -benchtime 5x ./dedupbench/
//
// BenchmarkDedupVsLibbpf runs each tool as its own process, alternately
// (godedup, this package's command, and benchmarks/libbpf/dedup.c built
// against Debian's libbpf), and reports the median time inside the dedup
// call (wall and CPU), their ratios, and each process's peak RSS.
// BenchmarkDedup times dedup.Dedup alone, in process.
package dedupbench
