// corelog opens a BPF object with libbpf, with btf_custom_path set to a
// target BTF, and loads it, printing libbpf's debug log to stdout. CO-RE
// relocation happens before the kernel sees the programs, so the log holds
// every relocation decision even when the load then fails.
//
// Built at test time by package internal/libbpflog: cc corelog.c -lbpf
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

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

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	vfprintf(stdout, fmt, ap);
	return fflush(stdout);
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_map *map;
	int err;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: corelog OBJ TARGET_BTF [KCONFIG]\n");
		return 2;
	}
	libbpf_set_print(print_fn);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = argv[2]);
	if (argc == 4)
		opts.kconfig = read_file(argv[3]);
	obj = bpf_object__open_file(argv[1], &opts);
	if (!obj) {
		printf("corelog: open failed\n");
		return 1;
	}
	/* Maps are created before relocation; one that cannot be created as
	 * declared (max_entries set by the tool at run time) would stop the
	 * load before the CO-RE log. */
	bpf_object__for_each_map(map, obj)
		bpf_map__set_autocreate(map, false);
	err = bpf_object__load(obj);
	printf("corelog: load returned %d\n", err);
	/* The .kconfig map's value holds the resolved Kconfig externs. */
	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		size_t n = strlen(name), sz, i;
		const unsigned char *v;

		if (n < 8 || strcmp(name + n - 8, ".kconfig"))
			continue;
		v = bpf_map__initial_value(map, &sz);
		printf("corelog: kconfig ");
		for (i = 0; v && i < sz; i++)
			printf("%02x", v[i]);
		printf("\n");
	}
	bpf_object__close(obj);
	return 0;
}
