#include "common.h"
struct only_a { int x; struct shared *s; };
int fa(struct shared *s, union u *x, struct big2 *b, struct only_a *oa) { return s->a + x->i + use(b) + oa->x; }
int main(void) { return 0; }
