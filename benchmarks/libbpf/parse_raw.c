// parse_raw times libbpf's btf__parse_raw on one raw BTF file.
//
//	cc -O2 -o parse_raw parse_raw.c -lbpf
//	parse_raw FILE [RUNS]
//
// It parses FILE once untimed (to warm the page cache and the allocator),
// then RUNS times (default 10), timing each btf__parse_raw call alone with
// CLOCK_MONOTONIC. The timed call is everything libbpf does to get a
// struct btf from a path: fopen, fread of the whole file into a buffer,
// btf_new (which copies that buffer, checks the header and string section
// and indexes every type record) and the frees of the file buffer. It does
// not include btf__free, which runs after the clock stops.
//
// It prints one JSON object on stdout, so that benchmarks/cmd/compare can
// read it:
//
//	{"libbpf":"v1.1","runs":10,"types":3404422,"median_ns":...,
//	 "min_ns":...,"max_ns":...,"retained_bytes":...,"samples_ns":[...]}
//
// retained_bytes is how much more heap glibc reports in use (mallinfo2:
// arena bytes in use plus mmapped chunks) while the parsed struct btf is
// alive than before the call: the memory the result holds.
#define _GNU_SOURCE
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (long long)(mi.uordblks + mi.hblkhd);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

// parse runs btf__parse_raw on path and returns the struct btf, or exits
// with libbpf's error.
static struct btf *parse(const char *path)
{
	struct btf *btf = btf__parse_raw(path);

	if (!btf) {
		fprintf(stderr, "parse_raw: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return btf;
}

int main(int argc, char **argv)
{
	const char *path;
	long long *samples, retained;
	unsigned int types;
	struct btf *btf;
	long runs = 10;
	char *end;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: parse_raw FILE [RUNS]\n");
		return 2;
	}
	path = argv[1];
	if (argc == 3) {
		runs = strtol(argv[2], &end, 10);
		if (*end || runs < 1 || runs > 100000) {
			fprintf(stderr, "parse_raw: bad run count %s\n", argv[2]);
			return 2;
		}
	}
	samples = calloc(runs, sizeof(*samples));
	if (!samples) {
		perror("parse_raw");
		return 1;
	}

	// The warm-up run also measures what the result retains.
	retained = heap_in_use();
	btf = parse(path);
	retained = heap_in_use() - retained;
	types = btf__type_cnt(btf) - 1;
	btf__free(btf);

	for (long i = 0; i < runs; i++) {
		long long t0 = now_ns();

		btf = parse(path);
		samples[i] = now_ns() - t0;
		btf__free(btf);
	}

	printf("{\"libbpf\":\"%s\",\"runs\":%ld,\"types\":%u,", libbpf_version_string(), runs, types);
	printf("\"retained_bytes\":%lld,\"samples_ns\":[", retained);
	for (long i = 0; i < runs; i++)
		printf("%s%lld", i ? "," : "", samples[i]);
	qsort(samples, runs, sizeof(*samples), cmp_ll);
	// The median of an even count is the mean of the two middle samples.
	printf("],\"median_ns\":%lld,\"min_ns\":%lld,\"max_ns\":%lld}\n",
	       (samples[(runs - 1) / 2] + samples[runs / 2]) / 2, samples[0], samples[runs - 1]);
	free(samples);
	return 0;
}
