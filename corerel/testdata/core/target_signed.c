// Target layout: direct accesses whose size changes with a signed type,
// which libbpf poisons rather than adjusts.
struct core_direct { long u; long i; int p; unsigned char h; };
struct core_direct g_d;
struct core_more {
	int grid[3][4];
	long cv;
	char fn;
	long long i8;
	int i16;
	unsigned int u64;
	unsigned int bfa : 7, bfb : 17;
	signed long long bfc : 30;
};
struct core_more g_m;
