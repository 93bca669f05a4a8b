// CO-RE test program for corerel's differential tests against libbpf. It
// exercises every relocation kind clang 14 emits, against the target
// layouts of target_*.c. Written for btfhub; no code from the Linux
// selftests.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct core_inner {
	int x;
	int y;
};

struct core_s {
	int a;
	struct {
		int b;
		union {
			int c;
			long d;
		};
	};
	unsigned int bf1 : 3, bf2 : 5;
	int bf3 : 4;
	struct core_inner in;
	struct core_inner arr[4];
	char name[8];
	unsigned int u;
	void *ptr;
	long tail[];
};

struct core_s___flav {
	int a;
	int zz;
};

enum core_e { CORE_A = 1, CORE_B = 2, CORE_C = 3 };

typedef struct core_inner core_inner_t;

volatile __u64 out[64];

SEC("raw_tp/sys_enter")
int core_prog(struct bpf_raw_tracepoint_args *ctx)
{
	struct core_s *s = (void *)ctx->args[0];

	out[0] = BPF_CORE_READ(s, a);
	out[1] = BPF_CORE_READ(s, c);
	out[2] = BPF_CORE_READ(s, d);
	out[3] = BPF_CORE_READ(s, in.y);
	out[4] = BPF_CORE_READ(s, arr[2].x);
	out[5] = bpf_core_field_exists(s->d);
	out[6] = bpf_core_field_size(s->name);
	out[7] = BPF_CORE_READ_BITFIELD_PROBED(s, bf2);
	out[8] = BPF_CORE_READ_BITFIELD_PROBED(s, bf3);
	out[9] = bpf_core_type_exists(struct core_inner);
	out[10] = bpf_core_type_size(struct core_s);
	out[11] = bpf_core_type_id_kernel(struct core_s);
	out[12] = bpf_core_type_id_local(struct core_s);
	out[13] = bpf_core_enum_value_exists(enum core_e, CORE_C);
	out[14] = bpf_core_enum_value(enum core_e, CORE_B);
	out[15] = BPF_CORE_READ(s, tail[3]);
	out[16] = bpf_core_field_exists(((struct core_s___flav *)s)->zz);
	out[17] = bpf_core_field_offset(s->arr[3].y);
	out[18] = __builtin_preserve_field_info(s->bf3, BPF_FIELD_SIGNED);
	out[19] = bpf_core_type_exists(core_inner_t);
	out[20] = bpf_core_type_size(core_inner_t);
	out[21] = BPF_CORE_READ(s, name[5]);
	out[22] = (__u64)BPF_CORE_READ(s, ptr);
	out[23] = BPF_CORE_READ(s, b);
	return 0;
}

// Direct accesses through a preserve_access_index struct give LDX
// instructions with CO-RE relocations (and memory size adjustment).
struct core_direct {
	unsigned int u;
	int i;
	void *p;
	unsigned short h;
} __attribute__((preserve_access_index));

SEC("raw_tp/sys_exit")
int core_direct(struct bpf_raw_tracepoint_args *ctx)
{
	struct core_direct *d = (void *)ctx->args[0];

	out[30] = d->u;
	out[31] = d->i;
	out[32] = (__u64)d->p;
	out[33] = d->h;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

// More shapes: multi-dimensional arrays, a pointer used as an array,
// modifiers and typedefs on the way, function pointers, integers of every
// size read directly, and bitfields read directly.
typedef const volatile int cv_int_t;

struct core_more {
	int grid[3][4];
	cv_int_t cv;
	int (*fn)(int, long);
	char i8;
	short i16;
	unsigned long long u64;
	unsigned int bfa : 7, bfb : 17;
	signed long long bfc : 30;
} __attribute__((preserve_access_index));

SEC("raw_tp/sched_switch")
int core_more(struct bpf_raw_tracepoint_args *ctx)
{
	struct core_more *m = (void *)ctx->args[0];

	out[40] = BPF_CORE_READ(m, grid[2][3]);
	out[41] = BPF_CORE_READ(&m[1], grid[1][1]);
	out[42] = BPF_CORE_READ(m, cv);
	out[43] = (__u64)BPF_CORE_READ(m, fn);
	out[44] = bpf_core_field_exists(m->fn);
	out[45] = m->i8;
	out[46] = m->i16;
	out[47] = m->u64;
	out[48] = BPF_CORE_READ_BITFIELD(m, bfa);
	out[49] = BPF_CORE_READ_BITFIELD(m, bfb);
	out[50] = BPF_CORE_READ_BITFIELD(m, bfc);
	out[51] = bpf_core_type_exists(cv_int_t);
	out[52] = bpf_core_field_size(m->grid[1]);
	return 0;
}
