#include "common.h"
struct only_b { enum e v; union u w; };
int fb(struct shared *s, enum e v, struct big2 *b, struct only_b *ob) { return s->b[1] + v + use(b) + ob->v; }
int helper(struct ops *o, struct big2 *b) { o->close(b); return 0; }
int main(void) { return 0; }
