package fromdwarf

import (
	"testing"
)

// TestFeaturesMatchPahole turns each feature off and compares with pahole's
// matching option.
func TestFeaturesMatchPahole(t *testing.T) {
	for _, tc := range []struct {
		features string
		flags    []string
	}{
		{"", []string{"--btf_gen_floats"}},
		{"enum64", []string{"--btf_gen_floats", "--skip_encoding_btf_enum64"}},
		{"decl_tag", []string{"--btf_gen_floats", "--skip_encoding_btf_decl_tag"}},
		{"type_tag", []string{"--btf_gen_floats", "--skip_encoding_btf_type_tag"}},
		{"float", nil},
		{"vars", []string{"--btf_gen_floats", "--skip_encoding_btf_vars"}},
		{"all", []string{"--skip_encoding_btf_enum64", "--skip_encoding_btf_decl_tag", "--skip_encoding_btf_type_tag", "--skip_encoding_btf_vars"}},
	} {
		for _, cc := range []string{"clang", "gcc"} {
			t.Run(cc+"/"+tc.features, func(t *testing.T) {
				feat, err := ParseFeatures(tc.features)
				if err != nil {
					t.Fatal(err)
				}
				obj := compile(t, cc, "testdata/tags.c", "-g", "-O2")
				ref := paholeEncode(t, obj, "", nil, tc.flags...)
				ours, _, err := EncodeFile(obj, &Options{Features: feat})
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range compareSpecs(ours, ref, 0) {
					t.Error(p)
				}
			})
		}
	}
}

func TestParseFeatures(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Features
		err  bool
	}{
		{"", Features{}, false},
		{"enum64", Features{NoEnum64: true}, false},
		{"noenum64, -float", Features{NoEnum64: true, NoFloat: true}, false},
		{"decl_tag,type_tag,vars", Features{NoDeclTag: true, NoTypeTag: true, NoVars: true}, false},
		{"no_vars", Features{NoVars: true}, false},
		{"all", Features{true, true, true, true, true}, false},
		{"enum128", Features{}, true},
	} {
		got, err := ParseFeatures(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseFeatures(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.err)
		}
		if err == nil {
			back, err := ParseFeatures(got.String())
			if err != nil || back != got {
				t.Errorf("ParseFeatures(%q.String() = %q) = %+v, %v", tc.in, got.String(), back, err)
			}
		}
	}
}
