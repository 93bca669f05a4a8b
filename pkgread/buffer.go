package pkgread

import "fmt"

// A Buffer holds the content of a large entry (a vmlinux: hundreds of
// megabytes) outside the Go heap where the system allows it: in anonymous
// memory mapped for it alone, returned to the system by Close. Held in the
// heap, such an entry would also raise the garbage collector's target by
// its size, so that the program using it holds about as much again in
// garbage before the collector runs.
//
// The parts of the content that the program will not read can be given
// back early with Discard. Bytes must not be used after Close.
type Buffer struct {
	b      []byte
	mapped bool // b is an anonymous mapping of its own
}

// NewBuffer returns a Buffer holding b, in the heap: Discard keeps its
// content, and Close only drops the reference.
func NewBuffer(b []byte) *Buffer { return &Buffer{b: b} }

// Bytes returns the content. The slice is valid until Close.
func (b *Buffer) Bytes() []byte { return b.b }

// Discard gives back to the system the memory of the whole pages of
// content in [off, off+n), whose bytes are undefined afterwards (zeros on
// Linux). It does nothing for a buffer held in the heap, whose content is
// then kept, or for a range outside the content.
func (b *Buffer) Discard(off, n int64) {
	if !b.mapped || off < 0 || n <= 0 || off > int64(len(b.b)) || n > int64(len(b.b))-off {
		return
	}
	discardPages(b.b[off : off+n])
}

// Close releases the content; Bytes must not be used afterwards. Closing
// a closed or nil buffer does nothing.
func (b *Buffer) Close() error {
	if b == nil || b.b == nil {
		return nil
	}
	data, mapped := b.b, b.mapped
	b.b, b.mapped = nil, false
	if mapped {
		if err := unmapAnon(data); err != nil {
			return fmt.Errorf("releasing %d bytes: %w", len(data), err)
		}
	}
	return nil
}

// mapThreshold is the size from which ReadBuffer maps memory for an
// entry; smaller entries are held in the heap.
const mapThreshold = 64 << 20

// ReadBuffer reads the whole content of a regular entry, like ReadAll, into
// a Buffer: one mapped outside the heap when the entry is large and the
// system allows it. An entry larger than the limit gives an error wrapping
// ErrTooLarge before anything is read (a mapping of the stated size only
// takes memory as it is written, so an overstated size costs nothing); a
// stream shorter than the stated size wraps ErrFormat. The caller must
// Close the buffer.
func (e *Entry) ReadBuffer(lim Limits) (*Buffer, error) {
	if !e.IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", e.Name)
	}
	if e.Size < 0 || e.Size > lim.maxEntry() {
		return nil, fmt.Errorf("%s: %d bytes: %w (%d)", e.Name, e.Size, ErrTooLarge, lim.maxEntry())
	}
	if e.Size >= mapThreshold && e.Size == int64(int(e.Size)) {
		if m, err := mapAnon(int(e.Size)); err == nil {
			buf := &Buffer{b: m, mapped: true}
			if err := e.readFull(m, 0); err != nil {
				buf.Close()
				return nil, err
			}
			return buf, nil
		}
		// No mapping: read into the heap.
	}
	data, err := e.ReadAll(lim)
	if err != nil {
		return nil, err
	}
	return &Buffer{b: data}, nil
}
