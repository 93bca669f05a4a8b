// Target layout: members, types and enum values missing.
struct core_s {
	int a;
	struct { int b; int c; };
	unsigned int bf1 : 3;
	int bf3 : 4;
	struct core_inner_other { int x; } arr[2];
	char name[4];
};
enum core_e { CORE_A = 1, CORE_B = 2 };
struct core_direct { int i; };
struct core_s *g_s;
enum core_e g_e;
struct core_direct g_d;
struct core_more {
	int grid[2][2];
	int (*fn)(int);
	int cv;
	unsigned int u64;
	unsigned char bfa;
};
struct core_more g_m;
