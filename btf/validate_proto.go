package btf

// funcProtoCheck is btf_func_proto_check: the return type and every
// parameter but a final variadic marker must have a size.
func (c *checker) funcProtoCheck(id TypeID) error {
	w := c.rec(id)
	if ret := TypeID(w[2]); ret != 0 {
		k := c.kindOf(ret)
		if sourceOnly(k) {
			return c.fail(id, 2, "Invalid return type")
		}
		if needsResolve(k) && !c.isResolved(ret) {
			if err := c.resolve(ret); err != nil {
				return err
			}
		}
		if _, _, ok := c.idSize(ret); !ok {
			return c.fail(id, 2, "Invalid return type")
		}
	}
	n := vlen(w)
	if n > 0 && w[3+2*(n-1)+1] == 0 {
		if w[3+2*(n-1)] != 0 {
			return c.fail(id, 3+2*(n-1), "Invalid arg#%d", n)
		}
		n--
	}
	for i := range n {
		name, arg := w[3+2*i], TypeID(w[4+2*i])
		k := c.kindOf(arg)
		if sourceOnly(k) || name != 0 && !c.identAt(name) {
			return c.fail(id, 3+2*i, "Invalid arg#%d", i+1)
		}
		if needsResolve(k) && !c.isResolved(arg) {
			if err := c.resolve(arg); err != nil {
				return err
			}
		}
		if _, _, ok := c.idSize(arg); !ok {
			return c.fail(id, 4+2*i, "Invalid arg#%d", i+1)
		}
	}
	return nil
}

// checkTypeTags is btf_check_type_tags: in every chain of modifiers, type
// tags come first, and no chain is longer than 32.
func (c *checker) checkTypeTags() error {
	good := c.s.firstID - 1
	for i := range c.s.NumTypes() {
		start := c.s.firstID + TypeID(i)
		k := c.kindOf(start)
		if !isModifier(k) {
			continue
		}
		inTags := k == KindTypeTag
		limit := kernelTypeTagChain
		for cur := start; isModifier(k); k = c.kindOf(cur) {
			if limit == 0 {
				return c.fail(start, 0, "Max chain length or cycle detected")
			}
			limit--
			if k == KindTypeTag {
				if !inTags {
					return c.fail(start, 0, "Type tags don't precede modifiers")
				}
			} else {
				inTags = false
			}
			if cur <= good {
				break
			}
			cur = TypeID(c.rec(cur)[2])
		}
		good = start
	}
	return nil
}
