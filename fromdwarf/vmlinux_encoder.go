package fromdwarf

import "io"

// EncoderVersion names the output this package produces, for catalogues
// that record which encoder made an archive's BTF: byte for byte what
// pahole 1.24 writes with --btf_gen_floats.
const EncoderVersion = "pahole-1.24"

// VmlinuxEncoder encodes the BTF of a vmlinux that has no .BTF section,
// for archive.AddOptions.Encoder (it satisfies archive.Encoder).
type VmlinuxEncoder struct {
	// Options are passed to Encode; nil means the defaults.
	Options *Options
}

// Name returns "btfhub-fromdwarf".
func (VmlinuxEncoder) Name() string { return "btfhub-fromdwarf" }

// Version returns EncoderVersion.
func (VmlinuxEncoder) Version() string { return EncoderVersion }

// EncodeVmlinux encodes the DWARF of the vmlinux in r and returns raw BTF.
func (e VmlinuxEncoder) EncodeVmlinux(r io.ReaderAt) ([]byte, error) {
	s, _, err := Encode(r, e.Options)
	if err != nil {
		return nil, err
	}
	return s.Marshal(nil), nil
}
