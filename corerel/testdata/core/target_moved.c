// Target layout: members moved, widened, nested differently.
struct core_inner { long pad; int y; int x; };
struct core_s {
	char pad0[24];
	union { long d; struct { char pad1[3]; int c; }; };
	long a;
	int bf3 : 6;
	unsigned int bf1 : 2, bf2 : 9;
	struct core_inner arr[6];
	struct { struct { struct core_inner in; }; };
	unsigned long u;
	char name[16];
	int b;
	void *ptr;
	long tail[];
};
enum core_e { CORE_C = 30, CORE_B = 20, CORE_A = 10, CORE_D = 40 };
typedef struct core_inner core_inner_t;
struct core_direct { long pad; unsigned long u; long i; void *p; unsigned int h; };
struct core_s *g_s;
enum core_e g_e;
core_inner_t g_t;
struct core_direct g_d;
typedef int cv_int_t;
struct core_more {
	long pad;
	int grid[4][5];
	unsigned long long u64;
	volatile cv_int_t cv;
	signed long long bfc : 40;
	unsigned int bfb : 20, bfa : 3;
	long i8;
	unsigned short i16;
	int (*fn)(int, long);
};
struct core_more g_m;
cv_int_t g_cv;
