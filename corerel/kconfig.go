package corerel

// kconfigPatch is a Kconfig extern value to write into the object's
// .kconfig data at a file offset.
type kconfigPatch struct {
	off  uint64
	data []byte
}

func (r *Result) resolveKconfig(opts Options) error { return nil }
