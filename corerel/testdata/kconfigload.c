// kconfigload loads a BPF object with libbpf, one program at a time, pins
// each program that loads, and prints what the tests of corerel's Kconfig
// writing check: libbpf's debug log of the first open (which lists the
// externs it collects), and the value of every internal map, as libbpf
// prepared it and as the kernel holds it after the load.
//
// The programs are loaded together, and when that fails each on its own
// (the others' autoload turned off), so that one program the running
// kernel refuses (a kprobe on a function it lacks) does not hide the
// others. Maps the tools size at run time get a
// minimal size, the same for every object: max_entries 0 becomes 1 (a
// page for a ring buffer; libbpf sizes perf event arrays itself), and a
// stack trace map's value size 0 becomes PERF_MAX_STACK_DEPTH (127)
// addresses.
//
// Output lines, after the log:
//   kconfigload: prog NAME load ERR        (ERR 0 when it loaded)
//   kconfigload: map NAME initial HEX      (libbpf's value for the map)
//   kconfigload: map NAME kernel HEX       (read back from the kernel)
//
// Usage: kconfigload OBJ PINDIR [KCONFIG]
// Built at test time by package corerel: cc kconfigload.c -lbpf
// Written for btfhub.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static int verbose = 1;

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (!verbose)
		return 0;
	vfprintf(stdout, fmt, ap);
	return fflush(stdout);
}

/* read_file returns the contents of a file as a string, or NULL. */
static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void print_hex(const char *what, const char *name, const unsigned char *v, size_t n)
{
	size_t i;

	printf("kconfigload: map %s %s ", name, what);
	for (i = 0; i < n; i++)
		printf("%02x", v[i]);
	printf("\n");
}

/* size_maps gives the maps a tool sizes at run time a minimal size. */
static void size_maps(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		enum bpf_map_type t = bpf_map__type(map);

		if (bpf_map__max_entries(map) == 0 && t != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			bpf_map__set_max_entries(map, t == BPF_MAP_TYPE_RINGBUF ? sysconf(_SC_PAGE_SIZE) : 1);
		if (t == BPF_MAP_TYPE_STACK_TRACE && bpf_map__value_size(map) == 0)
			bpf_map__set_value_size(map, 127 * sizeof(__u64));
	}
}

/* print_maps prints the internal maps' values. */
static void print_maps(struct bpf_object *obj, int loaded)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		const unsigned char *init;
		unsigned char *buf;
		size_t sz;
		int zero = 0;

		init = bpf_map__initial_value(map, &sz);
		if (!init)
			continue;
		print_hex("initial", bpf_map__name(map), init, sz);
		if (!loaded || bpf_map__fd(map) < 0)
			continue;
		buf = calloc(1, sz + 1);
		if (buf && bpf_map_lookup_elem(bpf_map__fd(map), &zero, buf) == 0)
			print_hex("kernel", bpf_map__name(map), buf, sz);
		free(buf);
	}
}

static struct bpf_object *open_obj(const char *path, const char *kconfig)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .kconfig = kconfig);
	return bpf_object__open_file(path, &opts);
}

static int printed;

/* load_some loads the object's program number only, or all its programs
 * when only is -1, pins those that load and prints the results. The maps
 * are printed once: for the first load that succeeds, or the last one. */
static int load_some(const char *path, const char *kconfig, const char *pindir, int only, int last)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	char pin[4096];
	int i = 0, err;

	obj = open_obj(path, kconfig);
	if (!obj) {
		printf("kconfigload: open failed\n");
		return -1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__autoload(prog))
			continue;
		bpf_program__set_autoload(prog, only < 0 || i == only);
		i++;
	}
	size_maps(obj);
	err = bpf_object__load(obj);
	if (!err || last) {
		bpf_object__for_each_program(prog, obj) {
			if (!bpf_program__autoload(prog))
				continue;
			printf("kconfigload: prog %s load %d\n", bpf_program__name(prog), err);
			snprintf(pin, sizeof(pin), "%s/%s", pindir, bpf_program__name(prog));
			if (!err && bpf_program__pin(prog, pin))
				printf("kconfigload: prog %s pin failed\n", bpf_program__name(prog));
		}
	}
	if (!printed && (!err || last)) {
		print_maps(obj, !err);
		printed = 1;
	}
	bpf_object__close(obj);
	return err;
}

int main(int argc, char **argv)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	char *kconfig = NULL;
	int n = 0, i;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: kconfigload OBJ PINDIR [KCONFIG]\n");
		return 2;
	}
	libbpf_set_print(print_fn);
	if (argc == 4 && !(kconfig = read_file(argv[3]))) {
		fprintf(stderr, "kconfigload: cannot read %s\n", argv[3]);
		return 1;
	}
	/* The log of this first open lists the externs libbpf collects. */
	obj = open_obj(argv[1], kconfig);
	if (!obj) {
		printf("kconfigload: open failed\n");
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		if (bpf_program__autoload(prog))
			n++;
	bpf_object__close(obj);
	verbose = 0;
	/* All programs at once; one at a time when that fails. */
	if (load_some(argv[1], kconfig, argv[2], -1, n <= 1) && n > 1)
		for (i = 0; i < n; i++)
			load_some(argv[1], kconfig, argv[2], i, 1);
	free(kconfig);
	return 0;
}
