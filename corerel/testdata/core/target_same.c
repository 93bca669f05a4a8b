// Target layout: the same as prog.c's.
struct core_inner { int x; int y; };
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
enum core_e { CORE_A = 1, CORE_B = 2, CORE_C = 3 };
typedef struct core_inner core_inner_t;
struct core_direct { unsigned int u; int i; void *p; unsigned short h; };
struct core_s *g_s;
enum core_e g_e;
core_inner_t g_t;
struct core_direct g_d;
typedef const volatile int cv_int_t;
struct core_more {
	int grid[3][4];
	cv_int_t cv;
	int (*fn)(int, long);
	char i8;
	short i16;
	unsigned long long u64;
	unsigned int bfa : 7, bfb : 17;
	signed long long bfc : 30;
};
struct core_more g_m;
cv_int_t g_cv;
