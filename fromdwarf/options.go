package fromdwarf

import (
	"context"
	"fmt"
	"strings"

	"github.com/btfhub/btfhub/btf"
)

// Features selects the BTF kinds the encoder may emit. Old consumers
// (kernels and libbpf versions from before a kind existed) reject BTF that
// holds kinds they do not know; turning a feature off makes the encoder
// fall back as pahole's --skip_encoding_btf_* options do.
type Features struct {
	// NoEnum64 encodes enums wider than 32 bits as ENUM with the values'
	// low 32 bits (pahole --skip_encoding_btf_enum64).
	NoEnum64 bool
	// NoDeclTag drops btf_decl_tag annotations (pahole
	// --skip_encoding_btf_decl_tag).
	NoDeclTag bool
	// NoTypeTag drops btf_type_tag annotations on pointers (pahole
	// --skip_encoding_btf_type_tag).
	NoTypeTag bool
	// NoFloat encodes floating point base types as INT, as pahole does
	// without --btf_gen_floats.
	NoFloat bool
	// NoVars drops VAR and DATASEC for per-cpu variables (pahole
	// --skip_encoding_btf_vars).
	NoVars bool
}

// featureNames lists the names ParseFeatures accepts, in the order String
// prints them.
var featureNames = []string{"enum64", "decl_tag", "type_tag", "float", "vars"}

func (f *Features) flag(name string) *bool {
	switch name {
	case "enum64":
		return &f.NoEnum64
	case "decl_tag":
		return &f.NoDeclTag
	case "type_tag":
		return &f.NoTypeTag
	case "float":
		return &f.NoFloat
	case "vars":
		return &f.NoVars
	}
	return nil
}

// ParseFeatures parses a comma-separated list of features to turn off:
// "enum64", "decl_tag", "type_tag", "float", "vars", each optionally
// prefixed with "no" or "-" ("noenum64", "-float"). "all" turns every one
// off and "" none. Unknown names are an error.
func ParseFeatures(list string) (Features, error) {
	var f Features
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if item == "all" {
			f = Features{true, true, true, true, true}
			continue
		}
		name := strings.TrimPrefix(strings.TrimPrefix(item, "-"), "no")
		name = strings.TrimPrefix(name, "_")
		p := f.flag(name)
		if p == nil {
			return Features{}, fmt.Errorf("unknown feature %q (known: %s)", item, strings.Join(featureNames, ", "))
		}
		*p = true
	}
	return f, nil
}

// String returns the features turned off, comma-separated, in the form
// ParseFeatures accepts.
func (f Features) String() string {
	var off []string
	for _, n := range featureNames {
		if *f.flag(n) {
			off = append(off, n)
		}
	}
	return strings.Join(off, ",")
}

// Options adjust Encode. The zero value, and nil, encode every kind, use
// every CPU and deduplicate the result.
type Options struct {
	// Context, when set, stops Encode once it is done: Encode then
	// returns its error, after the compilation units under way.
	Context context.Context
	// Base is the BTF of the vmlinux a module is encoded over: the result
	// is split BTF whose ids and strings continue the base's, and dedup
	// replaces types equal to base types by references to them.
	Base *btf.Spec
	// Jobs is the number of CUs encoded at once; 0 means GOMAXPROCS.
	Jobs int
	// NoDedup returns the types as encoded, one copy per CU, without
	// deduplication.
	NoDedup bool
	// Features turns off kinds old consumers cannot read.
	Features Features
	// ConsistentFuncs gives no FUNC to a function whose prototypes differ
	// between the CUs (or DIEs) that define it, as pahole 1.25's
	// --skip_encoding_btf_inconsistent_proto (1.26:
	// --btf_features=consistent_func) does (btf_encoder.c:
	// btf_encoder__save_func, funcs__match, btf_encoder__add_saved_funcs):
	// a tracing program attached to it by name could not know which
	// arguments it gets. Prototypes differ when their parameter counts,
	// return types or parameter types do, types compared as C spells them
	// without qualifiers; parameter names do not count. The FUNCs of
	// functions matched to ELF symbols then come after all the CUs'
	// types, sorted by name, as pahole adds them. By default, as in
	// pahole 1.24, the first CU's prototype wins. See the package
	// documentation, "The FUNC set", for how this departs from pahole.
	ConsistentFuncs bool
	// AltFile is the path of the supplementary DWARF file (made by dwz
	// -m) that the input's .gnu_debugaltlink or .debug_sup section names,
	// for when it is not where the link says. When empty, the file is
	// looked up: at the link's path, relative to the input's directory
	// when relative (an absolute one under the tree the input is in when
	// that is an unpacked package, then as given), then at
	// /usr/lib/debug/.build-id/xx/yyyy.debug. Whichever way it is found,
	// its build-id must be the link's. Inputs without a link ignore it.
	AltFile string
	// AltData, when not nil, is the supplementary file's contents, used
	// instead of reading AltFile, which then only names it in errors:
	// the file as read out of a package, say.
	AltData []byte
	// Warn, when set, receives each warning: DWARF that could not be
	// mapped to BTF and was replaced (by void, say) or skipped. Warnings
	// name the CU and the DIE offset. Calls are made from one goroutine at
	// a time.
	Warn func(error)
}
