package fromdwarf

import (
	"bytes"
	"io"

	"github.com/btfhub/btfhub/pkgread"
)

// EncoderVersion names the output this package produces, for catalogues
// that record which encoder made an archive's BTF: byte for byte what
// pahole 1.24 writes with --btf_gen_floats.
const EncoderVersion = "pahole-1.24"

// VmlinuxEncoder encodes the BTF of a vmlinux that has no .BTF section,
// for archive.AddOptions.Encoder (it satisfies archive.Encoder and
// archive.AltEncoder).
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

// FindAlt returns the key of alts (files of a package, by path) that holds
// the supplementary DWARF file (dwz -m) which the vmlinux in r, at path
// name in the same package, links to: the file at the link's path, or one
// in a .dwz directory with the link's build-id. It returns "" when none
// does, or r has no link (or Options.AltFile or AltData is set, which then
// gives the file).
func (e VmlinuxEncoder) FindAlt(r io.ReaderAt, name string, alts map[string][]byte) string {
	if e.Options != nil && (e.Options.AltFile != "" || e.Options.AltData != nil) {
		return ""
	}
	link, err := ReadAltLink(r)
	if err != nil || link == nil {
		return ""
	}
	return findPackageAlt(link, name, alts)
}

// AltPath returns the path in a package that the supplementary-file link
// of the vmlinux in r, at path name in the package, names (relative to
// name's directory when the link is relative), or "" when r has no link.
func (VmlinuxEncoder) AltPath(r io.ReaderAt, name string) string {
	link, err := ReadAltLink(r)
	if err != nil || link == nil {
		return ""
	}
	return packageLinkPath(name, link)
}

// EncodeVmlinuxAlt is EncodeVmlinux for a vmlinux read out of a package
// into vmlinux, at path name in the package, whose DWARF may link to a
// supplementary file among alts (see FindAlt); when none of them is that
// file, it is looked for as Encode does. The parts of vmlinux that
// encoding does not read are given back first, and the rest is used in
// place (EncodeBytes).
func (e VmlinuxEncoder) EncodeVmlinuxAlt(vmlinux *pkgread.Buffer, name string, alts map[string][]byte) ([]byte, error) {
	image := vmlinux.Bytes()
	var opts Options
	if e.Options != nil {
		opts = *e.Options
	}
	if p := e.FindAlt(bytes.NewReader(image), name, alts); p != "" {
		opts.AltData, opts.AltFile = alts[p], p
	}
	discardUnread(vmlinux)
	s, _, err := EncodeBytes(image, &opts)
	if err != nil {
		return nil, err
	}
	return s.Marshal(nil), nil
}
