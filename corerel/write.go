package corerel

import (
	"fmt"
)

// Object returns the relocated object: the input file with every CO-RE
// fixup applied to its instructions and the CO-RE records removed from
// .BTF.ext, so that a loader without CO-RE support loads it as it is.
//
// When RelocateWithOptions resolved Kconfig externs, their values are
// written into the object as read-only data: a new KconfigSection section
// holding KconfigData, the extern symbols defined in it and the DATASEC
// .kconfig of .BTF turned into that section's (see the package
// documentation). The loader then finds no extern to resolve, and creates a
// frozen, read-only map holding exactly the values libbpf would have put
// in its .kconfig map on the target; the programs it loads are those
// libbpf loads from the original object on the target. The file is laid
// out again for that, with the same sections at the same indices.
//
// Otherwise the layout of the file is kept: .BTF.ext is rewritten in
// place, shorter, and its section header's size updated.
func (r *Result) Object() ([]byte, error) {
	out, err := r.relocatedCode()
	if err != nil || len(r.externs) == 0 {
		return out, err
	}
	return r.writeKconfig(out)
}

// relocatedCode returns the input file with the CO-RE fixups applied and
// the CO-RE records removed, in place.
func (r *Result) relocatedCode() ([]byte, error) {
	o := r.obj
	out := append([]byte(nil), o.data...)
	for _, sec := range o.Sections {
		insns := r.patched[sec.Index]
		if insns == nil {
			continue
		}
		for i, in := range insns {
			in.encode(out[sec.offset+uint64(i*InsnSize):], o.ByteOrder)
		}
	}
	if o.Ext == nil || len(o.Ext.CORERelos) == 0 || o.extSec == nil {
		return out, nil
	}
	ext := *o.Ext
	ext.CORERelos = nil
	b := ext.Marshal(nil)
	s := o.extSec
	if uint64(len(b)) > s.Size {
		return nil, fmt.Errorf("corerel: rewritten %s (%d bytes) does not fit in the original (%d bytes)", s.Name, len(b), s.Size)
	}
	body := out[s.Offset : s.Offset+s.Size]
	copy(body, b)
	clear(body[len(b):])
	hdr := o.shoff + uint64(o.extIdx)*o.shesize
	if hdr+64 > uint64(len(out)) {
		return nil, objErr("section header %d past the end of the file", o.extIdx)
	}
	o.ByteOrder.PutUint64(out[hdr+32:], uint64(len(b)))
	return out, nil
}
