package corerel

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/btfhub/btfhub/btf"
)

// ExternKind is the type libbpf gives a Kconfig extern (enum kcfg_type of
// src/libbpf.c).
type ExternKind int

// The Kconfig extern types.
const (
	ExternBool      ExternKind = iota + 1 // bool
	ExternTristate                        // enum libbpf_tristate
	ExternChar                            // char: y, n or m as a character
	ExternInt                             // an integer of 1, 2, 4 or 8 bytes
	ExternCharArray                       // char[N]: a string value
)

// Values of enum libbpf_tristate.
const (
	tristateNo     = 0
	tristateYes    = 1
	tristateModule = 2
)

// Extern is a __kconfig extern of an object, resolved as libbpf's
// bpf_object__resolve_externs would resolve it on the target kernel.
type Extern struct {
	// Name is the extern's name, such as "LINUX_KERNEL_VERSION" or
	// "CONFIG_HZ".
	Name string
	// Kind, Size and Signed describe the extern's C type.
	Kind   ExternKind
	Size   uint32
	Signed bool
	// Weak reports whether the extern is __weak: unresolved, it is zero
	// rather than an error.
	Weak bool
	// Offset is the extern's offset in the .kconfig map's value, as
	// libbpf lays the externs out.
	Offset uint32
	// Set reports whether a value was found; Value holds the Size bytes
	// of the value in the object's byte order (zeros when not Set).
	Set   bool
	Value []byte

	varID btf.TypeID // the extern's VAR in the object's BTF
	align uint32     // its alignment, as libbpf's btf__align_of gives it
}

// Externs returns the object's Kconfig externs with the values resolved by
// RelocateWithOptions, sorted as libbpf sorts them (by alignment, size and
// name), which is by increasing offset. It is nil for Relocate, with
// Options.KeepKconfig, and for an object without Kconfig externs.
func (r *Result) Externs() []Extern { return r.externs }

// KconfigData returns the value of the .kconfig map libbpf would create:
// every Kconfig extern at its offset.
func (r *Result) KconfigData() []byte {
	size := uint32(0)
	for _, e := range r.externs {
		size = max(size, e.Offset+e.Size)
	}
	data := make([]byte, size)
	for _, e := range r.externs {
		copy(data[e.Offset:], e.Value)
	}
	return data
}

// collectExterns finds the object's Kconfig externs: undefined symbols
// whose BTF VAR is in the .kconfig DATASEC (libbpf's
// bpf_object__collect_externs), laid out as libbpf lays them out.
func (o *Object) collectExterns() ([]Extern, error) {
	if o.BTF == nil {
		return nil, nil
	}
	ds, err := o.BTF.TypeByName(".kconfig", btf.KindDatasec)
	if err != nil {
		return nil, nil
	}
	f, err := elf.NewFile(bytes.NewReader(o.data))
	if err != nil {
		return nil, objErr("%v", err)
	}
	syms, err := f.Symbols()
	if err != nil {
		return nil, objErr("symbol table: %v", err)
	}
	weak := map[string]bool{}
	undef := map[string]bool{}
	for _, s := range syms {
		if s.Section == elf.SHN_UNDEF && s.Name != "" {
			undef[s.Name] = true
			weak[s.Name] = elf.ST_BIND(s.Info) == elf.STB_WEAK
		}
	}
	var exts []Extern
	var aligns []uint32
	for i := range ds.Vlen() {
		v, err := o.BTF.Type(ds.VarSecinfo(i).Type)
		if err != nil || v.Kind() != btf.KindVar {
			return nil, objErr("DATASEC .kconfig variable #%d is not a VAR", i)
		}
		name := v.Name()
		if !undef[name] {
			return nil, fmt.Errorf("corerel: %w: extern %q has no undefined symbol", ErrKconfig, name)
		}
		kind, signed := kcfgType(o.BTF, v.Ref())
		if kind == 0 {
			return nil, fmt.Errorf("corerel: %w: extern %q: type is unsupported", ErrKconfig, name)
		}
		size, err := o.BTF.ResolveSize(v.Ref())
		if err != nil {
			return nil, fmt.Errorf("corerel: extern %q: %w", name, err)
		}
		a := alignOf(o.BTF, v.Ref())
		exts = append(exts, Extern{Name: name, Kind: kind, Size: size, Signed: signed, Weak: weak[name], varID: v.ID(), align: a})
		aligns = append(aligns, a)
	}
	idx := make([]int, len(exts))
	for i := range idx {
		idx[i] = i
	}
	// libbpf's cmp_externs: alignment descending, size ascending, name.
	sort.Slice(idx, func(a, b int) bool {
		x, y := idx[a], idx[b]
		if aligns[x] != aligns[y] {
			return aligns[x] > aligns[y]
		}
		if exts[x].Size != exts[y].Size {
			return exts[x].Size < exts[y].Size
		}
		return exts[x].Name < exts[y].Name
	})
	sorted := make([]Extern, len(exts))
	off := uint32(0)
	for i, j := range idx {
		e := exts[j]
		a := aligns[j]
		e.Offset = (off + a - 1) / a * a
		off = e.Offset + e.Size
		e.Value = make([]byte, e.Size)
		sorted[i] = e
	}
	return sorted, nil
}

// kcfgType is libbpf's find_kcfg_type; 0 means unsupported.
func kcfgType(s *btf.Spec, id btf.TypeID) (ExternKind, bool) {
	t := s.SkipQualifiers(id)
	switch t.Kind() {
	case btf.KindInt:
		enc := t.Int().Encoding
		if enc&btf.IntBool != 0 {
			if t.Size() == 1 {
				return ExternBool, false
			}
			return 0, false
		}
		signed := enc&btf.IntSigned != 0
		if t.Size() == 1 {
			return ExternChar, signed
		}
		if sz := t.Size(); sz < 1 || sz > 8 || sz&(sz-1) != 0 {
			return 0, false
		}
		return ExternInt, signed
	case btf.KindEnum:
		if t.Size() != 4 || t.Name() != "libbpf_tristate" {
			return 0, false
		}
		return ExternTristate, false
	case btf.KindEnum64:
		if t.Name() != "libbpf_tristate" {
			return 0, false
		}
		return ExternTristate, false
	case btf.KindArray:
		a := t.Array()
		if a.Nelems == 0 {
			return 0, false
		}
		if k, _ := kcfgType(s, a.Type); k != ExternChar {
			return 0, false
		}
		return ExternCharArray, false
	}
	return 0, false
}

// alignOf is libbpf's btf__align_of for the types a Kconfig extern may
// have: scalars align to their size, capped at the pointer size; arrays to
// their element.
func alignOf(s *btf.Spec, id btf.TypeID) uint32 {
	t := s.SkipQualifiers(id)
	switch t.Kind() {
	case btf.KindArray:
		return alignOf(s, t.Array().Type)
	case btf.KindPointer:
		return s.PointerSize()
	}
	return max(1, min(t.Size(), s.PointerSize()))
}

// KernelVersion returns LINUX_KERNEL_VERSION for a kernel release, as
// libbpf's get_kernel_version computes it from uname's release: the first
// three numbers, as KERNEL_VERSION(a, b, c) with c capped at 255. For
// Ubuntu kernels libbpf reads /proc/version_signature instead: pass its
// last field ("5.4.8") as the release. It returns 0 when the release does
// not start with three numbers.
func KernelVersion(release string) uint32 {
	var v [3]uint64
	rest := release
	for i := range v {
		if i > 0 {
			if !strings.HasPrefix(rest, ".") {
				return 0
			}
			rest = rest[1:]
		}
		n := 0
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 0 {
			return 0
		}
		x, err := strconv.ParseUint(rest[:n], 10, 32)
		if err != nil {
			return 0
		}
		v[i], rest = x, rest[n:]
	}
	return uint32(v[0]<<16 + v[1]<<8 + min(v[2], 255))
}

// resolveKconfig sets the values of the object's Kconfig externs from
// opts, as libbpf's bpf_object__resolve_externs does with the kconfig
// option set to the config's text: LINUX_KERNEL_VERSION from the release,
// LINUX_HAS_BPF_COOKIE and LINUX_HAS_SYSCALL_WRAPPER from the target's
// BTF (libbpf probes the running kernel), CONFIG_* from the config; an
// unresolved strong extern is an error, a weak one is zero. As libbpf
// fails when it finds no kernel config to read, CONFIG_* externs, weak
// ones included, are an error when opts has no config (nil Kconfig).
func (r *Result) resolveKconfig(opts Options, target *Target) error {
	exts, err := r.obj.collectExterns()
	if err != nil || len(exts) == 0 {
		return err
	}
	bo := r.obj.ByteOrder
	byName := map[string]*Extern{}
	for i := range exts {
		byName[exts[i].Name] = &exts[i]
	}
	for i := range exts {
		e := &exts[i]
		var v uint64
		switch {
		case strings.HasPrefix(e.Name, "CONFIG_"):
			if opts.Kconfig == nil {
				return fmt.Errorf("corerel: %w: extern %q needs the kernel config", ErrKconfig, e.Name)
			}
			continue
		case e.Name == "LINUX_KERNEL_VERSION":
			if opts.Release == "" {
				return fmt.Errorf("corerel: %w: LINUX_KERNEL_VERSION needs the kernel release", ErrKconfig)
			}
			if v = uint64(KernelVersion(opts.Release)); v == 0 {
				return fmt.Errorf("corerel: %w: LINUX_KERNEL_VERSION: release %q does not start with three numbers", ErrKconfig, opts.Release)
			}
		case (e.Name == "LINUX_HAS_BPF_COOKIE" || e.Name == "LINUX_HAS_SYSCALL_WRAPPER") && (target == nil || target.VMLinux == nil):
			return fmt.Errorf("corerel: %w: extern %q needs the target's BTF", ErrKconfig, e.Name)
		case e.Name == "LINUX_HAS_BPF_COOKIE":
			v = boolValue(hasEnumValue(target, "BPF_FUNC_get_attach_cookie"))
		case e.Name == "LINUX_HAS_SYSCALL_WRAPPER":
			v = boolValue(hasSyscallWrapper(target))
		case !strings.HasPrefix(e.Name, "LINUX_") || !e.Weak:
			return fmt.Errorf("corerel: %w: %q: unrecognized virtual extern", ErrKconfig, e.Name)
		default:
			continue
		}
		if err := e.setNum(v, bo); err != nil {
			return err
		}
	}
	if len(opts.Kconfig) > 0 {
		sc := bufio.NewScanner(bytes.NewReader(opts.Kconfig))
		sc.Buffer(nil, 1<<20)
		for line := 1; sc.Scan(); line++ {
			if err := processKconfigLine(sc.Text(), byName, bo); err != nil {
				return fmt.Errorf("corerel: kconfig line %d: %w", line, err)
			}
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("corerel: kconfig: %w", err)
		}
	}
	for _, e := range exts {
		if !e.Set && !e.Weak {
			return fmt.Errorf("corerel: %w: extern %q (strong) not resolved", ErrKconfig, e.Name)
		}
	}
	r.externs = exts
	return nil
}

func boolValue(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// hasEnumValue reports whether the target's vmlinux has an enum value of
// that name.
func hasEnumValue(t *Target, name string) bool {
	for ty := range t.VMLinux.Types() {
		if isEnum(ty.Kind()) {
			for i := range ty.Vlen() {
				if ty.EnumValue(i).Name == name {
					return true
				}
			}
		}
	}
	return false
}

// hasSyscallWrapper is the answer of libbpf's probe_kern_syscall_wrapper
// on the target: libbpf creates a kprobe on __<arch>_sys_bpf (the prefix
// of arch_specific_syscall_pfx), which succeeds when the syscalls have
// architecture wrappers and the kernel has kprobe events. Offline, the
// first is the wrapper's FUNC in the target's BTF, the second the
// trace_kprobe struct of kernel/trace/trace_kprobe.c, which is built
// exactly with CONFIG_KPROBE_EVENTS (the perf kprobe PMU and the legacy
// tracefs kprobe_events that libbpf falls back on are both there).
func hasSyscallWrapper(t *Target) bool {
	if len(t.VMLinux.TypeIDsByName("trace_kprobe")) == 0 {
		return false
	}
	for _, p := range []string{"x64", "ia32", "s390x", "s390", "arm", "arm64", "mips", "riscv", "powerpc", "powerpc64"} {
		if len(t.VMLinux.TypeIDsByName("__"+p+"_sys_bpf")) > 0 {
			return true
		}
	}
	return false
}

// processKconfigLine is libbpf's bpf_object__process_kconfig_line.
func processKconfigLine(line string, exts map[string]*Extern, bo binary.ByteOrder) error {
	if !strings.HasPrefix(line, "CONFIG_") {
		return nil
	}
	name, value, ok := strings.Cut(line, "=")
	if !ok {
		return fmt.Errorf("%w: %q: no separator", ErrKconfig, line)
	}
	if value == "" {
		return fmt.Errorf("%w: %q: no value", ErrKconfig, line)
	}
	e := exts[name]
	if e == nil || e.Set {
		return nil
	}
	switch value[0] {
	case 'y', 'n', 'm':
		return e.setTristate(value[0], bo)
	case '"':
		return e.setString(value)
	}
	n, ok := parseULL(value)
	if !ok {
		return fmt.Errorf("%w: %q: value %q isn't a valid integer", ErrKconfig, name, value)
	}
	if e.Kind != ExternInt && e.Kind != ExternChar {
		return fmt.Errorf("%w: %q: value %q implies integer type", ErrKconfig, name, value)
	}
	return e.setNum(n, bo)
}

// setTristate is libbpf's set_kcfg_value_tri.
func (e *Extern) setTristate(c byte, bo binary.ByteOrder) error {
	switch e.Kind {
	case ExternBool:
		if c == 'm' {
			return fmt.Errorf("%w: %q: value 'm' implies tristate or char type", ErrKconfig, e.Name)
		}
		e.Value[0] = byte(boolValue(c == 'y'))
	case ExternTristate:
		v := map[byte]uint32{'y': tristateYes, 'm': tristateModule, 'n': tristateNo}[c]
		if e.Size == 8 {
			bo.PutUint64(e.Value, uint64(v))
		} else {
			bo.PutUint32(e.Value, v)
		}
	case ExternChar:
		e.Value[0] = c
	default:
		return fmt.Errorf("%w: %q: value '%c' implies bool, tristate, or char type", ErrKconfig, e.Name, c)
	}
	e.Set = true
	return nil
}

// setString is libbpf's set_kcfg_value_str.
func (e *Extern) setString(v string) error {
	if e.Kind != ExternCharArray {
		return fmt.Errorf("%w: %q: value %s implies char array type", ErrKconfig, e.Name, v)
	}
	if len(v) < 2 || v[len(v)-1] != '"' {
		return fmt.Errorf("%w: %q: invalid string config %s", ErrKconfig, e.Name, v)
	}
	s := v[1 : len(v)-1]
	if uint32(len(s)) >= e.Size {
		s = s[:e.Size-1] // libbpf truncates, with a warning
	}
	clear(e.Value)
	copy(e.Value, s)
	e.Set = true
	return nil
}

// setNum is libbpf's set_kcfg_value_num.
func (e *Extern) setNum(v uint64, bo binary.ByteOrder) error {
	if e.Kind != ExternInt && e.Kind != ExternChar && e.Kind != ExternBool {
		return fmt.Errorf("%w: %q: value %d implies integer, char, or boolean type", ErrKconfig, e.Name, v)
	}
	if e.Kind == ExternBool && v > 1 {
		return fmt.Errorf("%w: %q: value %d isn't boolean compatible", ErrKconfig, e.Name, v)
	}
	if bits := e.Size * 8; e.Size != 8 {
		fits := v>>bits == 0
		if e.Signed {
			fits = v+1<<(bits-1) < 1<<bits
		}
		if !fits {
			return fmt.Errorf("%w: %q: value %d doesn't fit in %d bytes", ErrKconfig, e.Name, v, e.Size)
		}
	}
	switch e.Size {
	case 1:
		e.Value[0] = byte(v)
	case 2:
		bo.PutUint16(e.Value, uint16(v))
	case 4:
		bo.PutUint32(e.Value, uint32(v))
	case 8:
		bo.PutUint64(e.Value, v)
	default:
		return fmt.Errorf("%w: %q: integer of %d bytes", ErrKconfig, e.Name, e.Size)
	}
	e.Set = true
	return nil
}

// parseULL parses a whole string as C's strtoull with base 0 does, which
// is how libbpf reads a Kconfig integer (parse_u64): leading white space,
// an optional sign (a negative value wraps around, as -5 gives 2^64-5,
// which set_kcfg_value_num then accepts for a signed extern), and a
// hexadecimal (0x), octal (0) or decimal number. An overflow is an error,
// as strtoull's ERANGE is for libbpf.
func parseULL(s string) (uint64, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	base := uint64(10)
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && digitVal(s[2]) < 16:
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base = 8
	}
	if s == "" {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d := digitVal(s[i])
		if d >= base {
			return 0, false
		}
		if n > (math.MaxUint64-d)/base {
			return 0, false
		}
		n = n*base + d
	}
	if neg {
		n = -n
	}
	return n, true
}

// digitVal is the value of a hexadecimal digit, 16 for other bytes.
func digitVal(c byte) uint64 {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0')
	case c >= 'a' && c <= 'f':
		return uint64(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return uint64(c-'A') + 10
	}
	return 16
}
