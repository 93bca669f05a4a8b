// btf_parse prints the number of types libbpf's btf__parse reads from each
// file named on the command line, not counting void. elf_test.go builds it
// against libbpf-dev to check that libbpf accepts the ELF files MarshalELF
// writes.
#include <stdio.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		struct btf *btf = btf__parse(argv[i], NULL);
		long err = libbpf_get_error(btf);

		if (err) {
			fprintf(stderr, "%s: btf__parse: error %ld\n", argv[i], err);
			return 1;
		}
		printf("%u\n", btf__type_cnt(btf) - 1);
		btf__free(btf);
	}
	return 0;
}
