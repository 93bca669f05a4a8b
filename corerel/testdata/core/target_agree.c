// Target layout: flavors of the same types that agree with each other, so
// that libbpf keeps every matching candidate.
struct core_inner { int x; int y; };
struct core_inner___v2 { int x; int y; };
struct core_s {
	int a;
	struct { int b; union { int c; long d; }; };
	unsigned int bf1 : 3, bf2 : 5;
	int bf3 : 4;
	struct core_inner in;
	struct core_inner arr[4];
	char name[8];
	unsigned int u;
	void *ptr;
	long tail[];
};
struct core_s___flav { long zz; };
enum core_e { CORE_A = 1, CORE_B = 2, CORE_C = 3 };
enum core_e___x { CORE_A___x = 1, CORE_C___y = 3 };
struct core_s *g_s;
struct core_inner___v2 g_i2;
struct core_s___flav *g_f;
enum core_e g_e;
enum core_e___x g_ex;
