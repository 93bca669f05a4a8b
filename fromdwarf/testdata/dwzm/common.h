/* common.h is shared by the programs built from a.c, a2.c and b.c, so that
 * dwz -m moves its types into the supplementary file they all refer to. */
struct list { struct list *next, *prev; };
struct shared { int a; long b[4]; struct shared *next; unsigned f:3; struct list l; };
union u { int i; char c[8]; float f; };
enum e { E0, E1 = 7, E2 = -1 };
typedef struct shared shared_t;
struct big1 { shared_t s1; union u u1; enum e e1; int (*cb)(struct shared *, ...); };
struct big2 { struct big1 b; const char *name; volatile int v; _Bool ok; double d; };
struct ops { int (*open)(struct big2 *); void (*close)(struct big2 *); struct ops *parent; };
static inline int use(struct big2 *b) { return b->b.s1.a; }
extern int helper(struct ops *o, struct big2 *b);
