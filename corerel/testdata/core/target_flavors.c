// Target layout: flavors that agree with each other, and a field whose
// type is incompatible.
struct core_inner { int x; int y; };
struct core_s {
	int a;
	struct { int b; union { int c; long d; }; };
	unsigned int bf1 : 3, bf2 : 5;
	int bf3 : 4;
	struct core_inner in;
	struct core_inner arr[4];
	struct core_inner name;
	unsigned int u;
	void *ptr;
	long tail[];
};
struct core_s___v2 {
	int a;
	struct { int b; union { int c; long d; }; };
	unsigned int bf1 : 3, bf2 : 5;
	int bf3 : 4;
	struct core_inner in;
	struct core_inner arr[4];
	struct core_inner name;
	unsigned int u;
	void *ptr;
	long tail[];
};
struct core_s___flav { int zz; };
enum core_e { CORE_A = 1, CORE_B = 2, CORE_C = 3 };
enum core_e___x { CORE_B___x = 9 };
struct core_s *g_s;
struct core_s___v2 *g_s2;
struct core_s___flav *g_f;
enum core_e g_e;
enum core_e___x g_ex;
