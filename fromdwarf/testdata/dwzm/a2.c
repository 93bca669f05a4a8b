#include "common.h"
int helper(struct ops *o, struct big2 *b) { return o->open(b) + use(b); }
