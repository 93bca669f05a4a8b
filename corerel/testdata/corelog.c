// corelog opens a BPF object with libbpf, with btf_custom_path set to a
// target BTF, and loads it, printing libbpf's debug log to stdout. CO-RE
// relocation happens before the kernel sees the programs, so the log holds
// every relocation decision even when the load then fails.
//
// Built at test time by corerel's tests: cc corelog.c -lbpf
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>

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

	if (argc != 3) {
		fprintf(stderr, "usage: corelog OBJ TARGET_BTF\n");
		return 2;
	}
	libbpf_set_print(print_fn);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = argv[2]);
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
	bpf_object__close(obj);
	return 0;
}
