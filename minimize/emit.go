package minimize

import (
	"fmt"

	"github.com/btfhub/btfhub/btf"
)

// emit builds the minimized spec: the kept types in the order they were
// first kept,
// composites with only their kept members, every reference to a type that
// is not kept turned into a reference to void (bpftool's btfgen_get_btf).
// It returns the spec and, for each target id, its id in the spec (0 for
// types not kept).
func (m *marks) emit() (*btf.Spec, []btf.TypeID, error) {
	ids := make([]btf.TypeID, len(m.types))
	for i, id := range m.order {
		ids[id] = btf.TypeID(i + 1)
	}
	remap := func(id uint32) uint32 {
		if int(id) < len(ids) {
			return uint32(ids[id])
		}
		return 0
	}
	b := btf.NewBuilder(nil)
	var rec []uint32
	for _, id := range m.order {
		t, err := m.spec.Type(id)
		if err != nil {
			return nil, nil, err
		}
		raw := t.Raw()
		info := raw[1]
		rec = append(rec[:0], b.AddString(t.Name()), info, raw[2])
		switch k := t.Kind(); {
		case k == btf.KindInt, k == btf.KindFloat, k == btf.KindFwd:
			rec = append(rec, raw[3:]...)
		case k == btf.KindPointer, k.IsModifier():
			rec[2] = remap(raw[2])
		case k == btf.KindArray:
			rec = append(rec, remap(raw[3]), remap(raw[4]), raw[5])
		case k.IsComposite():
			kept := m.members[id]
			n, bitfields := 0, false
			for i := range t.Vlen() {
				if i >= len(kept) || !kept[i] {
					continue
				}
				mb := t.Member(i)
				rec = append(rec, b.AddString(mb.Name), remap(uint32(mb.Type)), mb.RawOffset)
				bitfields = bitfields || mb.BitfieldSize != 0
				n++
			}
			// The kind flag only changes how offsets are read when a
			// member is a bitfield; without one, both readings agree.
			rec[1] = btf.WithKindFlag(btf.WithVlen(info, n), bitfields)
		case k == btf.KindEnum, k == btf.KindEnum64:
			for i := range t.Vlen() {
				v := t.EnumValue(i)
				rec = append(rec, b.AddString(v.Name), uint32(v.Value))
				if k == btf.KindEnum64 {
					rec = append(rec, uint32(v.Value>>32))
				}
			}
		case k == btf.KindFuncProto:
			rec[2] = remap(raw[2])
			for i := range t.Vlen() {
				p := t.Param(i)
				rec = append(rec, b.AddString(p.Name), remap(uint32(p.Type)))
			}
		default:
			return nil, nil, fmt.Errorf("minimize: cannot keep type [%d] of kind %s", id, k)
		}
		b.AddRaw(rec)
	}
	s, err := b.Spec()
	if err != nil {
		return nil, nil, fmt.Errorf("minimize: building the minimized BTF: %w", err)
	}
	return s, ids, nil
}
