#include "common.h"
int fa(struct shared *s, union u *x, struct big2 *b) { return s->a + x->i + use(b); }
