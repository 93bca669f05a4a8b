/* kinds.c covers the constructs fromdwarf encodes; the tests compile it
 * with gcc and clang, DWARF 4 and 5, and compare with pahole -J. */
#include <stdarg.h>

typedef unsigned long long u64;
typedef int s32;

enum color { RED, GREEN = 5, BLUE = -1 };
enum big { SMALL = 1, HUGE = 0x1234567890ULL };
enum ubig { UB = 0xffffffffffffffffULL };
enum fwd_enum;

struct fwd;
union fwd_union;

struct bits {
	unsigned int a : 3;
	unsigned int b : 5;
	int c : 7;
	unsigned long long d : 33;
	char e;
	_Bool f : 1;
	enum color g : 4;
	s32 h : 12;
	const volatile unsigned short i : 9;
};

struct inner {
	int x;
	union {
		int u1;
		float u2;
		struct {
			short s1, s2;
		};
	};
	struct {
		long l;
	} named;
};

struct arrays {
	int one[4];
	int two[3][5];
	char three[2][3][4];
	struct inner flex_elems[2];
	const char *strs[7];
	int flex[];
};

union un {
	long long ll;
	double d;
	struct fwd *p;
	union fwd_union *pu;
};

struct list {
	struct list *next, *prev;
	void (*cb)(struct list *, int, ...);
	int (*ops[2])(const void *restrict, volatile u64);
};

struct withfloat {
	float f;
	double d;
	long double ld;
	__int128 i128;
	unsigned __int128 u128;
	_Bool b;
	signed char sc;
	unsigned char uc;
	char c;
	short sh;
	long l;
	enum big big;
	enum ubig ubig;
};

typedef struct list list_t;
typedef void (*handler_t)(list_t *, ...);
typedef const volatile int cvint;

struct everything {
	struct bits bits;
	struct inner inner;
	struct arrays *arrays;
	union un un;
	list_t list;
	handler_t handler;
	cvint *cv;
	struct withfloat wf;
	enum color *color;
	enum fwd_enum *fe;
	char *restrict rp;
	void *vp;
};

int global_counter;
static struct everything everything;

int sum(int n, ...)
{
	va_list ap;
	int s = 0;
	va_start(ap, n);
	while (n-- > 0)
		s += va_arg(ap, int);
	va_end(ap);
	return s;
}

static int helper(struct list *l, u64 x)
{
	return l ? (int)x : 0;
}

struct everything *get(int (*fn)(struct list *, u64))
{
	struct local_type {
		int a;
		char b[3];
	} lt = {1, {2}};
	everything.inner.x = fn(&everything.list, lt.a + lt.b[0]);
	return &everything;
}

void noargs(void) {}

int use(void) { return helper(0, 1) + sum(2, 1, 2); }
