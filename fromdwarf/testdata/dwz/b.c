#include "common.h"
int fb(struct shared *s, enum e v, struct big2 *b) { return s->b[1] + v + use(b); }
int main(void) { return 0; }
