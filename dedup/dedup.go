package dedup

import (
	"context"
	"errors"
	"fmt"

	"github.com/btfhub/btfhub/btf"
)

// ErrBaseMismatch means a split spec refers to its base in ways no split
// BTF built over that base would: a string offset into the middle of a base
// string, or a type id naming a base type of a kind that cannot be referred
// to from there. It usually means the split BTF was built over another base.
var ErrBaseMismatch = errors.New("split BTF does not match its base")

// Options adjust Dedup. The zero value, and nil, deduplicate as libbpf's
// btf__dedup does with default options.
type Options struct {
	// Ext, when set, is the .BTF.ext that goes with the spec: the strings
	// it refers to are kept, in the order libbpf gives them (after every
	// string of the types, in the order of btf_ext_visit_str_offs).
	// Result.RemapExt then rewrites it for the deduplicated spec.
	Ext *btf.Ext

	// Libbpf17, when set, deduplicates as later libbpf does instead of
	// libbpf 1.1: libbpf v1.7.0 (commit 37027144, "Fix BTF dedup to
	// support recursive typedef definitions") with the fix that follows it
	// on libbpf's master branch (commit 5b0f3729, "Fix deduplication of
	// typedef with base definitions"), and the identical-type check of
	// v1.6.0 (commits c8a28812 and 5ee9fbf7). Typedefs are then matched by
	// type graph equivalence in the struct pass, which lets Dedup accept a
	// spec with a typedef that refers back to itself through pointers (Go's
	// `type T *T`, decoded with btf.DecodeOptions.AllowReferenceLoops),
	// where libbpf 1.1 fails. It can also change the output for ordinary
	// input, which is why it is not the default; see the package
	// documentation.
	Libbpf17 bool

	// Context, when set, stops Dedup between its passes once it is done:
	// Dedup then returns the context's error.
	Context context.Context
}

// Result describes a deduplication.
type Result struct {
	// Before and After count the spec's own types before and after.
	Before, After int
	// Mapping gives, for every id of the input (base ids included, up to
	// the input's NextID), the id that references to it become in the
	// output. Base ids map to themselves, except base FWDs that dedup
	// resolved to a struct or union of the split spec.
	Mapping []btf.TypeID

	strBase uint32
	strMap  []uint32
}

// StringOffset returns the output's offset of the string at offset off of
// the input: the same offset for the empty string and for base strings. It
// returns false for an offset dedup did not see (neither a type nor, with
// Options.Ext referred to it).
func (r *Result) StringOffset(off uint32) (uint32, bool) {
	if off == 0 || off < r.strBase {
		return off, true
	}
	i := off - r.strBase
	if i >= uint32(len(r.strMap)) || r.strMap[i] == unprocessed {
		return 0, false
	}
	return r.strMap[i], true
}

// Dedup deduplicates spec's types and strings as libbpf 1.1's btf__dedup
// does, and returns the result as a new spec, byte for byte what libbpf's
// btf__raw_data would give once marshalled in the input's byte order. A
// split spec (one with a Base) is deduplicated against its base, which is
// not changed: types equal to base types disappear, references to them
// become references to the base.
//
// spec is not modified. The returned spec has the same base as spec.
func Dedup(spec *btf.Spec, opts *Options) (*btf.Spec, *Result, error) {
	if opts == nil {
		opts = &Options{}
	}
	d, err := newState(spec, opts)
	if err != nil {
		return nil, nil, err
	}
	if err := d.run(opts); err != nil {
		return nil, nil, err
	}
	if err := opts.ctxErr(); err != nil {
		return nil, nil, err
	}
	return d.output()
}

// output compacts and remaps the types once every pass has run, and builds
// the result.
func (d *state) output() (*btf.Spec, *Result, error) {
	spec := d.spec
	nTypes, nWords := d.compact()
	ids := d.mapping()
	words, err := d.emit(nWords, ids)
	if err != nil {
		return nil, nil, err
	}
	phase("compact")
	out, err := btf.NewSpecFromRawWith(words, string(d.strs), d.base, spec.ByteOrder(), spec.HeaderLen(),
		&btf.DecodeOptions{AllowReferenceLoops: d.later})
	if err != nil {
		return nil, nil, fmt.Errorf("dedup: result does not decode: %w", err)
	}
	phase("spec")
	res := &Result{
		Before:  spec.NumTypes(),
		After:   nTypes,
		Mapping: ids,
		strBase: d.strBase,
		strMap:  d.strMap,
	}
	return out, res, nil
}

// ctxErr returns the error of o.Context, if set.
func (o *Options) ctxErr() error {
	if o.Context == nil {
		return nil
	}
	return o.Context.Err()
}

// phaseHook, when set (by tests and benchmarks), is called at the end of
// each pass with its name.
var phaseHook func(name string)

func phase(name string) {
	if phaseHook != nil {
		phaseHook(name)
	}
}

func newState(spec *btf.Spec, opts *Options) (*state, error) {
	words, offs := spec.RawTypes()
	d := &state{
		later:    opts.Libbpf17,
		mappable: mappable1,
		spec:     spec,
		base:     spec.Base(),
		first:    uint32(spec.FirstID()),
		next:     uint32(spec.NextID()),
		words:    words,
		offs:     offs,
		strBase:  spec.StringBase(),
	}
	if d.later {
		d.mappable = mappable17
	}
	if d.base != nil {
		if err := d.checkBase(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// run performs libbpf's passes up to compaction.
//
// The string pass's walk over the records also notes every type's kind,
// so that the later passes visit only the types they deal with.
func (d *state) run(opts *Options) error {
	d.m = make([]uint32, d.next)
	d.hypot = make([]uint32, d.next) // all none, and its pages untouched
	for id := range d.m {
		d.m[id] = unprocessed
	}
	d.m[0] = 0
	d.scanBase()
	d.tab = newTable(1 << 12) // grows as needed

	if err := d.prep(); err != nil {
		return err
	}
	phase("prep")
	if err := opts.ctxErr(); err != nil {
		return err
	}
	// Without a base, the string offsets of pahole's output are those of
	// distinct strings: bet on it, and run the primitive pass in the
	// string pass's walk (see dedupStrings).
	bet := d.base == nil
	d.strIdentity = bet
	var extStrs func(visit func(off uint32) error) error
	if opts.Ext != nil {
		extStrs = extStrings(opts.Ext)
	}
	identity, err := d.dedupStrings(extStrs, true, bet)
	if err != nil {
		return err
	}
	d.strIdentity = identity
	phase("strings")
	if err := opts.ctxErr(); err != nil {
		return err
	}
	if bet && !identity {
		d.undoPrims()
	}
	if !bet || !identity {
		d.primTypes()
	}
	phase("prim")
	if err := opts.ctxErr(); err != nil {
		return err
	}
	// See state.refTab.
	if d.base == nil {
		d.refIdx = newRefIndex()
	} else {
		d.refTab = d.tab
	}
	if err := d.structTypes(); err != nil {
		return err
	}
	phase("struct")
	if err := opts.ctxErr(); err != nil {
		return err
	}
	d.resolveFwds()
	phase("fwds")
	if err := opts.ctxErr(); err != nil {
		return err
	}
	if err := d.refTypes(); err != nil {
		return err
	}
	phase("ref")
	d.tab, d.refTab, d.refIdx = nil, nil, nil
	d.refRecs = nil
	return nil
}

// checkBase looks for signs that a split spec was built over another base
// (see ErrBaseMismatch).
func (d *state) checkBase() error {
	baseStrs := d.base.Strings()
	baseStrBase := d.base.StringBase()
	strStart := func(off uint32) bool {
		if off == 0 || off >= d.strBase || off <= baseStrBase {
			return true
		}
		return baseStrs[off-baseStrBase-1] == 0
	}
	refOK := func(id uint32) bool {
		if id == 0 || id >= d.first {
			return true
		}
		switch kindOf(d.info(id)) {
		case kVar, kDatasec, kDeclTag:
			return false
		}
		return true
	}
	for i := 0; i+1 < len(d.offs); i++ {
		id := d.first + uint32(i)
		w := d.words[d.offs[i]:d.offs[i+1]]
		if !strStart(w[0]) {
			return fmt.Errorf("dedup: type [%d]: name offset %d is inside a base string: %w", id, w[0], ErrBaseMismatch)
		}
		var bad uint32
		switch kindOf(w[1]) {
		case kConst, kVolatile, kRestrict, kPtr, kTypedef, kTypeTag:
			if !refOK(w[2]) {
				bad = w[2]
			}
		case kFunc:
			if w[2] < d.first && kindOf(d.info(w[2])) != kFuncProto {
				bad = w[2]
			}
		case kArray:
			if !refOK(w[3]) {
				bad = w[3]
			}
		case kStruct, kUnion:
			for j := 3; j+2 < len(w); j += 3 {
				if !strStart(w[j]) {
					return fmt.Errorf("dedup: type [%d]: member name offset %d is inside a base string: %w", id, w[j], ErrBaseMismatch)
				}
				if !refOK(w[j+1]) {
					bad = w[j+1]
				}
			}
		case kFuncProto:
			if !refOK(w[2]) {
				bad = w[2]
			}
			for j := 3; j+1 < len(w); j += 2 {
				if !refOK(w[j+1]) {
					bad = w[j+1]
				}
			}
		}
		if bad != 0 {
			return fmt.Errorf("dedup: type [%d] (%s) refers to base type [%d], a %s: %w",
				id, btf.Kind(kindOf(w[1])), bad, btf.Kind(kindOf(d.info(bad))), ErrBaseMismatch)
		}
	}
	return nil
}
