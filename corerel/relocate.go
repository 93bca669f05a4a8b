package corerel

import (
	"errors"
	"fmt"

	"github.com/btfhub/btfhub/btf"
)

// Relocation is the decision for one CO-RE relocation record.
type Relocation struct {
	// Program is the function symbol of the program holding the
	// instruction (libbpf's "prog 'NAME'").
	Program string
	// Section is the ELF code section.
	Section string
	// Insn is the instruction's index from the program's first
	// instruction, as in libbpf's "patched insn #I".
	Insn int
	// SectionInsn is the instruction's index from the section's start.
	SectionInsn int
	// Index is the record's index among its section's CO-RE records
	// (libbpf's "relo #N").
	Index int
	// Kind is what the relocation computes.
	Kind btf.COREKind
	// LocalTypeID and LocalType are the root type of the access in the
	// object's BTF, and its name.
	LocalTypeID btf.TypeID
	LocalType   string
	// Access is the access string, such as "0:1:2".
	Access string
	// Poisoned reports whether the instruction was replaced by a call to
	// an invalid helper, which the verifier rejects if it is reachable.
	Poisoned bool
	// Value is the value written into the instruction (meaningless when
	// Poisoned); OrigValue the value the compiler put there.
	Value     uint64
	OrigValue uint64
	// MemSize is the new size in bytes of a load or store whose size
	// changed, 0 when it did not.
	MemSize uint32
	// Matches lists every target candidate that matched, in the order
	// libbpf tries them; the first one gives the value. It is empty when
	// nothing matched, and for local_type_id relocations.
	Matches []Match
}

// Match is what a relocation touched in one target type: enough for a
// minimizer to keep exactly the types, members and enum values used.
type Match struct {
	// Spec is the target spec holding the type (vmlinux or a module).
	Spec *btf.Spec
	// Module is "vmlinux" or the module's name.
	Module string
	// TypeID is the candidate root type in the target.
	TypeID btf.TypeID
	// Path holds the low-level access in the target: the first element
	// indexes the root as an array, and each later one a member (anonymous
	// members included) or an array element. For enum value relocations
	// it holds the enum value's index.
	Path []int
	// Accessors are the high-level steps: named members, array elements,
	// the enum value. Each accessor's TypeID is the struct, union, array
	// element or enum type it indexes.
	Accessors []Accessor
	// BitOffset is the bit offset the access reaches, for field
	// relocations.
	BitOffset uint32
}

// Result holds the relocations of an object resolved against a target.
type Result struct {
	// Relocations holds one entry per CO-RE record that belongs to a
	// program, in .BTF.ext order: first those of programs libbpf loads by
	// default, then those of programs in "?" sections.
	Relocations []Relocation

	obj     *Object
	patched map[int][]Insn // section index -> relocated instructions
	externs []Extern       // resolved Kconfig externs
}

// Relocate resolves every CO-RE relocation of obj against target, as
// libbpf 1.1's bpf_object__relocate_core does with btf_custom_path set to
// the target: the same candidates (src/libbpf.c, bpf_core_find_cands), the
// same matching, values, poisoning and ambiguity errors (src/relo_core.c,
// bpf_core_calc_relo_insn and bpf_core_patch_insn), and the same shared,
// pruned candidate list per local type.
//
// Records of instructions that no function symbol covers are skipped, as
// libbpf skips them (code of an eliminated weak subprogram). libbpf leaves
// programs of "?" sections alone; Relocate relocates them too, after all
// others, so that the output object is whole.
//
// Errors are *RelocationError values naming the program, the record and
// the instruction; they wrap ErrBadRelocation or ErrAmbiguous.
func Relocate(obj *Object, target *Target) (*Result, error) {
	r := &Result{obj: obj, patched: map[int][]Insn{}}
	if obj.Ext == nil || len(obj.Ext.CORERelos) == 0 {
		return r, nil
	}
	if target == nil || target.VMLinux == nil {
		return nil, fmt.Errorf("corerel: no target BTF")
	}
	rc := &relocator{obj: obj, target: target, cache: map[btf.TypeID][]candidate{}, res: r}
	for _, autoload := range []bool{true, false} {
		for _, es := range obj.Ext.CORERelos {
			if err := rc.section(es, autoload); err != nil {
				return nil, err
			}
		}
	}
	return r, nil
}

type relocator struct {
	obj    *Object
	target *Target
	cache  map[btf.TypeID][]candidate
	res    *Result
}

// section relocates the records of one .BTF.ext section that belong to
// programs whose Autoload is autoload.
func (rc *relocator) section(es btf.ExtSection[btf.CORERelo], autoload bool) error {
	sec := rc.obj.sectionByExtName(es.Name)
	if sec == nil {
		return &RelocationError{Section: es.Name, Msg: "no ELF code section of that name", Err: ErrBadRelocation}
	}
	for i, rec := range es.Records {
		if rec.InsnOff%InsnSize != 0 || int(rec.InsnOff/InsnSize) >= len(sec.Insns) {
			return &RelocationError{Section: sec.Name, Index: i, Insn: int(rec.InsnOff / InsnSize),
				Msg: fmt.Sprintf("offset %d is not an instruction of the section (%d instructions)", rec.InsnOff, len(sec.Insns)), Err: ErrBadRelocation}
		}
		si := int(rec.InsnOff / InsnSize)
		prog := rc.obj.ProgramAt(sec.Index, si)
		if prog == nil || prog.Autoload != autoload {
			continue
		}
		insns := rc.res.patched[sec.Index]
		if insns == nil {
			insns = append([]Insn(nil), sec.Insns...)
			rc.res.patched[sec.Index] = insns
		}
		rel, err := rc.relocate(prog, rec, i, insns[prog.Offset:prog.Offset+len(prog.Insns)])
		if err != nil {
			var re *RelocationError
			if errors.As(err, &re) {
				return err
			}
			sentinel := ErrBadRelocation
			if errors.Is(err, ErrAmbiguous) {
				sentinel = ErrAmbiguous
			}
			return &RelocationError{Program: prog.Name, Section: sec.Name, Index: i, Insn: si - prog.Offset, Msg: err.Error(), Err: sentinel}
		}
		rc.res.Relocations = append(rc.res.Relocations, rel)
	}
	return nil
}

// sectionByExtName returns the code section a .BTF.ext section names.
func (o *Object) sectionByExtName(name string) *Section {
	for _, s := range o.Sections {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// relocate resolves and applies one record to the program's instructions.
func (rc *relocator) relocate(prog *Program, rec btf.CORERelo, idx int, insns []Insn) (Relocation, error) {
	local := rc.obj.BTF
	insn := rec.Insn() - prog.Offset
	rel := Relocation{Program: prog.Name, Section: prog.Section, Insn: insn, SectionInsn: rec.Insn(),
		Index: idx, Kind: rec.Kind, LocalTypeID: rec.TypeID}
	lt, err := typeOf(local, rec.TypeID)
	if err != nil {
		return rel, err
	}
	rel.LocalType = lt.Name()
	if rel.Access, err = local.StringAt(rec.AccessStrOff); err != nil {
		return rel, err
	}
	if !rec.Kind.Valid() {
		return rel, fmt.Errorf("unrecognized CO-RE relocation kind %d", uint32(rec.Kind))
	}
	// bpf_core_resolve_relo: the candidate search comes first.
	var cands []candidate
	if rec.Kind != btf.CORETypeIDLocal {
		var ok bool
		if cands, ok = rc.cache[rec.TypeID]; !ok {
			if lt.Name() == "" {
				return rel, fmt.Errorf("target candidate search failed for [%d] %s <anon>: anonymous types have no candidates", rec.TypeID, lt.Kind())
			}
			cands = rc.target.candidates(lt)
			rc.cache[rec.TypeID] = cands
		}
	}
	ls, err := parseSpec(local, rec.TypeID, rec.Kind, rel.Access)
	if err != nil {
		return rel, fmt.Errorf("parsing [%d] %s %q + %s failed: %w", rec.TypeID, lt.Kind(), lt.Name(), rel.Access, err)
	}
	var res relocRes
	switch {
	case rec.Kind == btf.CORETypeIDLocal:
		res = relocRes{origVal: uint64(rec.TypeID), newVal: uint64(rec.TypeID)}
	case lt.Name() == "":
		return rel, fmt.Errorf("%s relocation of an anonymous type", rec.Kind)
	default:
		var targ *coreSpec
		kept := cands[:0:0]
		for ci, c := range cands {
			cs, ok, err := specMatch(ls, c.spec, c.id)
			if err != nil {
				return rel, fmt.Errorf("error matching candidate #%d [%d] in %s: %w", ci, c.id, c.module, err)
			}
			if !ok {
				continue
			}
			cr, err := calcRelo(rec.Kind, ls, cs)
			if err != nil {
				return rel, err
			}
			switch {
			case targ == nil:
				res, targ = cr, cs
			case cs.bitOffset != targ.bitOffset:
				return rel, fmt.Errorf("%w: field offset ambiguity: %d != %d", ErrAmbiguous, cs.bitOffset, targ.bitOffset)
			case cr.poison != res.poison || cr.newVal != res.newVal:
				return rel, fmt.Errorf("%w: relocation decision ambiguity: %s %d != %s %d", ErrAmbiguous,
					decision(cr.poison), cr.newVal, decision(res.poison), res.newVal)
			}
			kept = append(kept, c)
			rel.Matches = append(rel.Matches, Match{Spec: c.spec, Module: c.module, TypeID: c.id,
				Path: cs.raw, Accessors: cs.acc, BitOffset: cs.bitOffset})
		}
		if len(kept) > 0 {
			rc.cache[rec.TypeID] = kept
		} else if res, err = calcRelo(rec.Kind, ls, nil); err != nil {
			return rel, err
		}
	}
	rel.OrigValue, rel.Value = res.origVal, res.newVal
	if rel.Poisoned, err = patchInsn(insns, insn, res); err != nil {
		return rel, err
	}
	if !rel.Poisoned && res.newSize != res.origSize && (insns[insn].Class() == classLDX || insns[insn].Class() == classST || insns[insn].Class() == classSTX) {
		rel.MemSize = res.newSize
	}
	return rel, nil
}

func decision(poison bool) string {
	if poison {
		return "failure"
	}
	return "success"
}

// Options tunes RelocateWithOptions.
type Options struct {
	// Kconfig is the text of the target kernel's config file
	// (CONFIG_FOO=y lines), for the object's CONFIG_* externs; nil when
	// there is none, which is an error for an object with CONFIG_*
	// externs, as it is for libbpf when it finds no config to read.
	Kconfig []byte
	// Release is the kernel release ("6.1.0-53-cloud-amd64"), for the
	// LINUX_KERNEL_VERSION extern.
	Release string
	// KeepKconfig leaves the object's Kconfig externs to the loader:
	// they are not resolved (Kconfig and Release are not used) and
	// Result.Object keeps them undefined, as Relocate does.
	KeepKconfig bool
}

// RelocateWithOptions is Relocate, and also resolves the object's Kconfig
// externs (LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE,
// LINUX_HAS_SYSCALL_WRAPPER and CONFIG_*) with the values libbpf would
// give them on the target kernel (see Result.Externs and
// Result.KconfigData), unless opts.KeepKconfig is set. Result.Object then
// writes these values into the relocated object, as read-only data in a
// KconfigSection section, so that no loader resolves them again on
// another host. An extern that needs a value opts does not give (the
// config for CONFIG_*, the release for LINUX_KERNEL_VERSION) is an error
// wrapping ErrKconfig.
//
// An object that already has a KconfigSection section was relocated
// before, for some target: that is an error wrapping ErrRelocated. (An
// object relocated without Kconfig externs cannot be told from one
// without CO-RE relocations, and relocating it again changes nothing.)
func RelocateWithOptions(obj *Object, target *Target, o *Options) (*Result, error) {
	var opts Options
	if o != nil {
		opts = *o
	}
	if obj.kconfigWritten {
		return nil, fmt.Errorf("corerel: %w: it has a %s section, which btfhub writes the Kconfig values into; relocate the original object", ErrRelocated, KconfigSection)
	}
	r, err := Relocate(obj, target)
	if err != nil {
		return nil, err
	}
	if opts.KeepKconfig {
		return r, nil
	}
	if err := r.resolveKconfig(opts, target); err != nil {
		return nil, err
	}
	return r, nil
}
