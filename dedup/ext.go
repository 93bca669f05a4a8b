package dedup

import (
	"fmt"
	"slices"

	"github.com/btfhub/btfhub/btf"
)

// extStrings returns, for Options.Ext, the string offsets of a
// .BTF.ext in the order libbpf's btf_ext_visit_str_offs visits them: each
// func info section's name; each line info section's name, then every
// record's file name and line; each CO-RE section's name, then every
// record's access string.
func extStrings(ext *btf.Ext) func(visit func(off uint32) error) error {
	return func(visit func(uint32) error) error {
		for _, sec := range ext.FuncInfos {
			if err := visit(sec.NameOff); err != nil {
				return err
			}
		}
		for _, sec := range ext.LineInfos {
			if err := visit(sec.NameOff); err != nil {
				return err
			}
			for _, r := range sec.Records {
				if err := visit(r.FileNameOff); err != nil {
					return err
				}
				if err := visit(r.LineOff); err != nil {
					return err
				}
			}
		}
		for _, sec := range ext.CORERelos {
			if err := visit(sec.NameOff); err != nil {
				return err
			}
			for _, r := range sec.Records {
				if err := visit(r.AccessStrOff); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

// RemapExt returns a copy of ext whose type ids (func info and CO-RE
// records, as libbpf's btf_ext_visit_type_ids) and string offsets refer to
// the deduplicated spec. The deduplication must have been given ext in
// Options.Ext, so that it kept ext's strings.
func (r *Result) RemapExt(ext *btf.Ext) (*btf.Ext, error) {
	str := func(off uint32) (uint32, error) {
		n, ok := r.StringOffset(off)
		if !ok {
			return 0, fmt.Errorf("dedup: .BTF.ext string offset %d was not seen by Dedup (pass the .BTF.ext as Options.Ext)", off)
		}
		return n, nil
	}
	id := func(t btf.TypeID) (btf.TypeID, error) {
		if int(t) >= len(r.Mapping) || uint32(r.Mapping[t]) > maxTypes {
			return 0, fmt.Errorf("dedup: .BTF.ext refers to type [%d], which the deduplicated spec has no representative for", t)
		}
		return r.Mapping[t], nil
	}
	out := *ext
	var err error
	out.FuncInfos = slices.Clone(ext.FuncInfos)
	for i := range out.FuncInfos {
		sec := &out.FuncInfos[i]
		if sec.NameOff, err = str(sec.NameOff); err != nil {
			return nil, err
		}
		sec.Records = slices.Clone(sec.Records)
		for j := range sec.Records {
			if sec.Records[j].TypeID, err = id(sec.Records[j].TypeID); err != nil {
				return nil, err
			}
		}
	}
	out.LineInfos = slices.Clone(ext.LineInfos)
	for i := range out.LineInfos {
		sec := &out.LineInfos[i]
		if sec.NameOff, err = str(sec.NameOff); err != nil {
			return nil, err
		}
		sec.Records = slices.Clone(sec.Records)
		for j := range sec.Records {
			rec := &sec.Records[j]
			if rec.FileNameOff, err = str(rec.FileNameOff); err != nil {
				return nil, err
			}
			if rec.LineOff, err = str(rec.LineOff); err != nil {
				return nil, err
			}
		}
	}
	out.CORERelos = slices.Clone(ext.CORERelos)
	for i := range out.CORERelos {
		sec := &out.CORERelos[i]
		if sec.NameOff, err = str(sec.NameOff); err != nil {
			return nil, err
		}
		sec.Records = slices.Clone(sec.Records)
		for j := range sec.Records {
			rec := &sec.Records[j]
			if rec.TypeID, err = id(rec.TypeID); err != nil {
				return nil, err
			}
			if rec.AccessStrOff, err = str(rec.AccessStrOff); err != nil {
				return nil, err
			}
		}
	}
	return &out, nil
}
