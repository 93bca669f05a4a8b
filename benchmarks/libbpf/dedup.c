// dedup runs libbpf's btf__dedup on one raw BTF file, the reference side of
// btfhub's dedup tests and benchmarks.
//
//	cc -O2 -o dedup dedup.c -lbpf      (or benchmarks/libbpf/build.sh)
//	dedup IN OUT [BASE]
//
// It reads IN with btf__parse_raw, or with btf__parse_raw_split over BASE
// when one is given (split BTF, such as a kernel module's over vmlinux),
// runs btf__dedup with default options, and writes btf__raw_data of the
// result to OUT. Only the btf__dedup call is timed (CLOCK_MONOTONIC).
//
// It prints one JSON object on stdout:
//
//	{"libbpf":"v1.1","types_before":3404422,"types_after":94630,
//	 "dedup_ns":...,"dedup_cpu_ns":...,"maxrss_kb":...}
//
// dedup_cpu_ns is the process's user plus system CPU time over the same
// call (getrusage), which a busy machine disturbs less than wall time.
// types_* count the file's own types (not the base's); maxrss_kb is the
// process's peak resident set so far (getrusage), read after OUT is
// written. On failure it prints libbpf's error on stderr and exits 1.
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
}

static void fail(const char *what, const char *path, long err)
{
	fprintf(stderr, "dedup: %s %s: %s\n", what, path, strerror(err < 0 ? -err : err));
	exit(1);
}

int main(int argc, char **argv)
{
	struct btf *base = NULL, *btf;
	const void *raw;
	unsigned int first = 1, size;
	long long start, ns, cpu_start, cpu;
	struct rusage ru;
	FILE *f;
	int err;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: dedup IN OUT [BASE]\n");
		return 2;
	}
	if (argc == 4) {
		base = btf__parse_raw(argv[3]);
		err = libbpf_get_error(base);
		if (err)
			fail("parsing", argv[3], err);
		first = btf__type_cnt(base);
		btf = btf__parse_raw_split(argv[1], base);
	} else {
		btf = btf__parse_raw(argv[1]);
	}
	err = libbpf_get_error(btf);
	if (err)
		fail("parsing", argv[1], err);

	unsigned int before = btf__type_cnt(btf) - first;

	cpu_start = cpu_ns();
	start = now_ns();
	err = btf__dedup(btf, NULL);
	ns = now_ns() - start;
	cpu = cpu_ns() - cpu_start;
	if (err)
		fail("deduplicating", argv[1], err);

	raw = btf__raw_data(btf, &size);
	if (!raw)
		fail("encoding", argv[1], -ENOMEM);
	f = fopen(argv[2], "wb");
	if (!f)
		fail("creating", argv[2], -errno);
	if (fwrite(raw, 1, size, f) != size || fclose(f))
		fail("writing", argv[2], -EIO);

	getrusage(RUSAGE_SELF, &ru);
	printf("{\"libbpf\":\"%s\",\"types_before\":%u,\"types_after\":%u,"
	       "\"dedup_ns\":%lld,\"dedup_cpu_ns\":%lld,\"maxrss_kb\":%ld}\n",
	       libbpf_version_string(), before, btf__type_cnt(btf) - first, ns,
	       cpu, ru.ru_maxrss);
	btf__free(btf);
	btf__free(base);
	return 0;
}
