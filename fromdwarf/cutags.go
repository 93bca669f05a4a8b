package fromdwarf

// Annotations (DW_TAG_LLVM_annotation, from clang): btf_type_tag on
// pointers and btf_decl_tag on types, members, functions, parameters and
// variables.

import "github.com/btfhub/btfhub/btf"

// typeTags returns the btf_type_tag annotations of pointer dies[i].
func (c *cuEnc) typeTags(i int) [][]byte {
	if c.feat.NoTypeTag || !c.dies[i].children {
		return nil
	}
	var tags [][]byte
	for j := i + 1; j < int(c.dies[i].end); j = int(c.dies[j].end) {
		e := &c.dies[j]
		if e.tag == tagLLVMAnnotation && nameIs(e.name, "btf_type_tag") {
			tags = append(tags, e.blob)
		}
	}
	return tags
}

// declTags appends the btf_decl_tag annotations among the children of
// dies[i], for component comp.
func (c *cuEnc) declTags(i int, comp int32, tags []declTag) []declTag {
	e := &c.dies[i]
	if !e.children {
		return tags
	}
	for j := i + 1; j < int(e.end); j = int(c.dies[j].end) {
		a := &c.dies[j]
		if a.tag == tagLLVMAnnotation && nameIs(a.name, "btf_decl_tag") {
			tags = append(tags, declTag{c.str(a.blob), comp})
		}
	}
	return tags
}

// componentTags appends the btf_decl_tag annotations of dies[i] and of its
// components (members or parameters, children of tag comp), in DIE order
// as pahole collects them (dwarf_loader.c die__process_class,
// die__process_function).
func (c *cuEnc) componentTags(i int, comp uint32, tags []declTag) []declTag {
	e := &c.dies[i]
	idx := int32(0)
	for j := i + 1; j < int(e.end); j = int(c.dies[j].end) {
		switch d := &c.dies[j]; {
		case d.tag == tagLLVMAnnotation && nameIs(d.name, "btf_decl_tag"):
			tags = append(tags, declTag{c.str(d.blob), -1})
		case d.tag == comp:
			tags = c.declTags(j, idx, tags)
			idx++
		}
	}
	return tags
}

// typeDeclTags adds the DECL_TAGs of structs, unions (and their members)
// and typedefs after the unit's types, as btf_encoder__encode_cu does.
func (c *cuEnc) typeDeclTags() {
	for i := 1; i < len(c.dies); i++ {
		e := &c.dies[i]
		if !e.children {
			continue
		}
		var tags []declTag
		switch e.tag {
		case tagStructType, tagUnionType, tagClassType:
			if e.is(hasDeclaration) {
				continue
			}
			tags = c.componentTags(i, tagMember, nil)
		case tagTypedef:
			tags = c.declTags(i, -1, nil)
		default:
			continue
		}
		for _, t := range tags {
			c.out.words = append(c.out.words, t.value, btf.MakeInfo(btf.KindDeclTag, false, 0), c.ids[i], uint32(t.comp))
			c.out.nTypes++
		}
	}
}
