/* tags.c has btf_decl_tag and btf_type_tag annotations (clang) and
 * per-cpu variables, for the feature switches. */
#define __tag(x) __attribute__((btf_decl_tag(x)))
#define __user __attribute__((btf_type_tag("user")))
#define __rcu __attribute__((btf_type_tag("rcu")))
#define __percpu_sec __attribute__((section(".data..percpu")))

struct tagged {
	int a __tag("member_a");
	int __user *up;
	int __user __rcu *urp;
	long b;
} __tag("struct_tag");

typedef struct tagged tagged_t __tag("typedef_tag");

enum wide { W0 = 0, W1 = 0x100000000LL, WNEG = -2 };

struct pcpu_stats {
	unsigned long packets;
	float ratio;
	enum wide w;
};

__percpu_sec struct pcpu_stats pcpu_stats;
__percpu_sec static int pcpu_counter __tag("var_tag");
__percpu_sec int pcpu_array[4];

int tagged_fn(tagged_t *t __tag("param_tag"), int __user *p) __tag("func_tag");
int tagged_fn(tagged_t *t, int __user *p)
{
	pcpu_counter++;
	return t->a + *p + pcpu_array[1] + (int)pcpu_stats.packets;
}
