/* common.h is shared by a.c and b.c, so that dwz moves its types into a
 * partial unit that both units import. */
struct shared { int a; long b[4]; struct shared *next; unsigned f:3; };
union u { int i; char c[8]; };
enum e { E0, E1 = 7 };
typedef struct shared shared_t;
struct big1 { shared_t s1; union u u1; enum e e1; int (*cb)(struct shared *); };
struct big2 { struct big1 b; const char *name; volatile int v; };
static inline int use(struct big2 *b) { return b->b.s1.a; }
