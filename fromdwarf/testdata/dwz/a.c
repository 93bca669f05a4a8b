#include "common.h"
int fa(struct shared *s, union u *x) { return s->a + x->i; }
