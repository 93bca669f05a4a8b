package fromdwarf

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/btfhub/btfhub/dedup"
)

// encodeUnits encodes every unit, opts.Jobs at a time, and merges the
// results in unit order as they arrive.
//
// When mapped is set, .debug_info is a slice of a file mapping, and the
// pages of the units already merged are dropped from the resident set as
// the merge advances, so that memory holds a window of the section rather
// than all of it.
func encodeUnits(d *dwarfData, f *elf.File, syms *symbols, opts *Options, st *Stats, mapped bool) ([]uint32, string, *dedup.Stream, error) {
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	addrSize := 8
	if f.Class == elf.ELFCLASS32 {
		addrSize = 4
	}
	bo := d.bo

	type slot struct {
		out  *cuOut
		err  error
		done chan struct{}
	}
	slots := make([]slot, len(d.units))
	for i := range slots {
		slots[i].done = make(chan struct{})
	}
	sets := newUnitSets(d)
	var next atomic.Int64
	var stop atomic.Bool
	// Bound how far workers run ahead of the merge, so that memory holds
	// a window of CUs, not all of them.
	window := make(chan struct{}, 4*jobs+16)
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &cuEnc{feat: opts.Features, consistent: opts.ConsistentFuncs, syms: syms, addrSize: addrSize, bo: bo}
			for {
				// Take a place in the window before a unit: a unit
				// taken first could wait for a place that units
				// after it hold, while the merge waits for it.
				window <- struct{}{}
				i := int(next.Add(1) - 1)
				if i >= len(slots) {
					<-window
					return
				}
				if !stop.Load() {
					slots[i].out, slots[i].err = c.encodeUnit(d, &d.units[i], sets)
				}
				close(slots[i].done)
			}
		}()
	}
	// The encoded types take about 0.81 bytes per byte of .debug_info (the
	// Linux kernel's vmlinux and modules, gcc and clang): allocating that
	// at once avoids copying a growing slice of hundreds of MB.
	m := newMerger(opts, len(syms.funcs), len(d.info)*5/24)
	m.strSec = d.str
	var firstErr error
	var dropped uint64
	for i := range slots {
		if firstErr == nil && opts.Context != nil && opts.Context.Err() != nil {
			firstErr = opts.Context.Err()
			stop.Store(true)
		}
		<-slots[i].done
		<-window
		s := &slots[i]
		if firstErr == nil && s.err != nil {
			firstErr = s.err
			stop.Store(true)
		}
		if firstErr == nil && s.out != nil {
			if opts.Warn != nil {
				for _, w := range s.out.warns {
					opts.Warn(w)
				}
			}
			st.Warnings += len(s.out.warns)
			st.DIEs += s.out.dies
			m.add(s.out)
		}
		s.out = nil
		if mapped && i%64 == 63 {
			// Units up to i are merged: no worker reads them again.
			// (Reading dropped pages stays valid; it only faults them
			// back in.)
			done := d.units[i].end
			dropPages(d.info[dropped:done])
			dropped = done
		}
	}
	wg.Wait()
	if firstErr != nil {
		return nil, "", nil, firstErr
	}
	words, strs, err := m.finish()
	st.InconsistentFuncs = m.inconsistent
	return words, strs, m.stream, err
}

// encodeUnit encodes unit u. The encoder's buffers are reused from one
// unit to the next.
//
// The DIEs of the partial units (dwz) that it imports or refers to, found
// through sets, are encoded with it.
func (c *cuEnc) encodeUnit(d *dwarfData, u *unitHeader, sets *unitSets) (*cuOut, error) {
	var err error
	c.out = &cuOut{strs: [][]byte{nil}, addedInt: -1}
	if c.strIdx == nil {
		c.strIdx = make(map[uintptr]uint32, 4096)
	}
	clear(c.strIdx)
	c.intID, c.needIndex = 0, false
	clear(c.tagIDs)
	c.dies, c.addrBase, err = d.readUnit(u, c.dies)
	c.addr = d.addr
	c.strSec = d.str
	if err != nil {
		return nil, &DIEError{CUOffset: u.dieOff, Offset: u.dieOff, Msg: "reading the unit", Err: fmt.Errorf("%w: %w", ErrMalformed, err)}
	}
	if len(c.dies) == 0 {
		return c.out, nil
	}
	c.out.name = string(c.dies[0].name)
	c.out.dies = len(c.dies)
	switch c.dies[0].tag {
	case tagCompileUnit:
	case tagPartialUnit:
		// dwz moved DIEs shared by several units here: they are encoded
		// with each unit that imports them.
		return c.out, nil
	default:
		return c.out, nil // type units and skeletons carry nothing pahole encodes
	}
	if c.bo == nil {
		c.bo = binary.LittleEndian
	}
	c.roots = append(c.roots[:0], 0)
	if err := c.followImports(sets, u); err != nil {
		return nil, err
	}
	c.indexDIEs(u)
	c.encode()
	return c.out, nil
}
