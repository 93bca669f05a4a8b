package dedup

// aheadTypes is how far touchAhead reads, in types, on either side of the
// type the struct pass is at: about one compilation unit of pahole's
// output.
const aheadTypes = 2048

// touchAhead reads one word of every cache line of the records of the
// types around own type id, up to aheadTypes types after it, and of what
// the walks look up about them (offs, d.m, d.kinds): in pahole's output,
// the compilation unit of the struct the struct pass is about to check.
// The check's walk then follows references within the compilation unit to
// data already in the cache: the processor fetches lines read in order
// much faster than lines read at random, as the walks read them. The
// struct pass starts with d.ahead zero; what has been read is not read
// again. (The reference pass, which follows fewer references, gains
// nothing from it.)
func (d *state) touchAhead(id uint32) {
	if id < d.first {
		return
	}
	i := int(id - d.first)
	end := min(i+aheadTypes, len(d.offs)-1)
	if end <= d.ahead.done {
		return
	}
	lo := max(d.ahead.done, i-aheadTypes)
	from := int(d.offs[lo])
	to := int(d.offs[end])
	sum := 0
	for j := from; j < to; j += 16 { // 16 words, 64 bytes
		sum += int(d.words[j])
	}
	for j := lo; j < end; j += 16 {
		sum += int(d.offs[j]) + int(d.m[int(d.first)+j])
	}
	for j := lo; j < end; j += 64 {
		sum += int(d.kinds[int(d.first)+j])
	}
	d.ahead.sum += sum // so that the reads are not optimised away
	d.ahead.done = end
}
