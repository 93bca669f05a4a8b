// Target layout: two flavors that disagree on where 'a' is: libbpf
// refuses the relocation.
struct core_s { int a; int b; };
struct core_s___v2 { int b; int a; };
struct core_s *g_s;
struct core_s___v2 *g_s2;
