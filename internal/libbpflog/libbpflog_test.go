package libbpflog

import "testing"

// TestParse reads a log in libbpf 1.1's format, including the indented
// line that follows an "error matching candidate" warning (the warning
// ends with "\n "), which must still count as the failing relocation.
func TestParse(t *testing.T) {
	log := "libbpf: sec 'raw_tracepoint/sys_enter': found program 'test_core_nesting' at insn offset 0 (0 bytes), code size 27 insns (216 bytes)\n" +
		"libbpf: prog 'test_core_nesting': relo #0: patched insn #0 (ALU/ALU64) imm 0 -> 4\n" +
		"libbpf: prog 'test_core_nesting': relo #2: substituting insn #9 w/ invalid insn\n" +
		"libbpf: prog 'test_core_nesting': relo #2: substituting insn #8 w/ invalid insn\n" +
		"libbpf: prog 'test_core_nesting': relo #3: patched insn #12 (LDX/ST/STX) off 8 -> 16\n" +
		"libbpf: prog 'test_core_nesting': relo #3: patched insn #12 (LDX/ST/STX) mem_sz 4 -> 8\n" +
		"libbpf: prog 'test_core_nesting': relo #1: error matching candidate #0 <byte_off> [5] struct s.b.b (0:1:0:0 @ offset 4): -7\n" +
		" libbpf: prog 'test_core_nesting': relo #1: failed to relocate: -7\n" +
		"libbpf: prog 'other': relo #0: failed to relocate: -3\n"
	l := Parse([]byte(log))
	if want := "raw_tracepoint/sys_enter test_core_nesting 0 27"; len(l.Programs) != 1 || l.Programs[0] != want {
		t.Errorf("programs %q, want [%q]", l.Programs, want)
	}
	want := map[Key]Relo{
		{"test_core_nesting", 0}: {Insn: 0, Value: 4},
		{"test_core_nesting", 2}: {Insn: 8, Poisoned: true},
		{"test_core_nesting", 3}: {Insn: 12, Value: 16, MemSize: 8},
	}
	if len(l.Relos) != len(want) {
		t.Errorf("relocations %+v, want %+v", l.Relos, want)
	}
	for k, w := range want {
		if got := l.Relos[k]; got != w {
			t.Errorf("%+v: %+v, want %+v", k, got, w)
		}
	}
	if l.Failed == nil || *l.Failed != (Key{"test_core_nesting", 1}) {
		t.Errorf("failed %+v, want prog 'test_core_nesting' relo #1", l.Failed)
	}
}
