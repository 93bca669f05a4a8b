// Kconfig externs of every kind libbpf supports, for corerel's tests of
// writing resolved externs into the relocated object: bool, tristate,
// char, integers of each size and signedness, a string, libbpf's virtual
// LINUX_* externs, and weak externs that the config lacks (zero). The
// program folds every value into its return value, so that the verifier,
// which reads frozen read-only maps, keeps or prunes code by them.
// Written for btfhub.
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern bool LINUX_HAS_BPF_COOKIE __kconfig;
extern bool LINUX_HAS_SYSCALL_WRAPPER __kconfig __weak;
extern int LINUX_BTFHUB_UNKNOWN __kconfig __weak;

extern bool CONFIG_BTFHUB_BOOL __kconfig;
extern bool CONFIG_BTFHUB_BOOL_OFF __kconfig;
extern enum libbpf_tristate CONFIG_BTFHUB_TRISTATE __kconfig;
extern char CONFIG_BTFHUB_CHAR __kconfig;
extern unsigned char CONFIG_BTFHUB_U8 __kconfig;
extern short CONFIG_BTFHUB_S16 __kconfig;
extern int CONFIG_BTFHUB_INT __kconfig;
extern unsigned long long CONFIG_BTFHUB_U64 __kconfig;
extern long long CONFIG_BTFHUB_S64 __kconfig;
extern char CONFIG_BTFHUB_STR[16] __kconfig;
extern char CONFIG_BTFHUB_LONG_STR[8] __kconfig;

#ifdef BTFHUB_SECTION_TAKEN
/* Data in the section btfhub writes Kconfig values into. */
const volatile int btfhub_taken SEC(".rodata.kconfig") = 1;
#endif

extern int CONFIG_BTFHUB_MISSING __kconfig __weak;
extern bool CONFIG_BTFHUB_MISSING_BOOL __kconfig __weak;
extern char CONFIG_BTFHUB_MISSING_STR[4] __kconfig __weak;

SEC("socket")
int kconfig_values(struct __sk_buff *skb)
{
	long r = 0;

	if (LINUX_KERNEL_VERSION < 0x050000)
		return 1;
	if (LINUX_HAS_BPF_COOKIE)
		r += 1;
	if (LINUX_HAS_SYSCALL_WRAPPER)
		r += 2;
	if (LINUX_BTFHUB_UNKNOWN)
		r += 4;
	if (CONFIG_BTFHUB_BOOL)
		r += 8;
	if (CONFIG_BTFHUB_BOOL_OFF)
		r += 16;
	if (CONFIG_BTFHUB_TRISTATE == TRI_MODULE)
		r += 32;
	if (CONFIG_BTFHUB_CHAR == 'm')
		r += 64;
	r += CONFIG_BTFHUB_U8;
	r += CONFIG_BTFHUB_S16;
	r += CONFIG_BTFHUB_INT;
	r += CONFIG_BTFHUB_U64 >> 32;
	r += CONFIG_BTFHUB_S64;
	if (CONFIG_BTFHUB_STR[0] == 'b' && CONFIG_BTFHUB_STR[12] == 'g')
		r += 128;
	r += CONFIG_BTFHUB_LONG_STR[6];
	if (CONFIG_BTFHUB_MISSING || CONFIG_BTFHUB_MISSING_BOOL || CONFIG_BTFHUB_MISSING_STR[0])
		return 2;
	return r;
}

char LICENSE[] SEC("license") = "GPL";
