package pkgread

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// The RPM file format: a 96-byte lead, a signature header padded to 8
// bytes, the main header, then the compressed cpio payload. See rpm's
// lib/header.c (headerImport) and lib/package.c; the limits below are
// rpm's own (hdrchkTags, hdrchkData).
var (
	rpmLeadMagic   = []byte{0xed, 0xab, 0xee, 0xdb}
	rpmHeaderMagic = []byte{0x8e, 0xad, 0xe8, 0x01}
)

const (
	rpmLeadSize  = 96
	rpmMaxTags   = 0xffff
	rpmMaxData   = 0x0fffffff
	rpmTagName   = 1000
	rpmTagVer    = 1001
	rpmTagRel    = 1002
	rpmTagArch   = 1022
	rpmTagComp   = 1125
	rpmTypeStr   = 6
	rpmTypeI18N  = 9
	rpmIndexSize = 16
)

// rpmHeader is a decoded RPM header: its string tags.
type rpmHeader map[uint32]string

// readRPMHeader reads one header structure. pad aligns the end to 8 bytes
// (the signature header).
func readRPMHeader(r io.Reader, what string, pad bool) (rpmHeader, error) {
	var h [16]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, fmt.Errorf("rpm: %s: %w: truncated", what, ErrFormat)
	}
	if !bytes.Equal(h[:4], rpmHeaderMagic) {
		return nil, fmt.Errorf("rpm: %s: %w: bad magic % x", what, ErrFormat, h[:4])
	}
	nindex := binary.BigEndian.Uint32(h[8:])
	hsize := binary.BigEndian.Uint32(h[12:])
	if nindex == 0 || nindex > rpmMaxTags || hsize > rpmMaxData {
		return nil, fmt.Errorf("rpm: %s: %w: %d tags, %d bytes of data", what, ErrFormat, nindex, hsize)
	}
	size := int(nindex)*rpmIndexSize + int(hsize)
	buf := make([]byte, size)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("rpm: %s: %w: truncated", what, ErrFormat)
	}
	if pad {
		if n := (8 - size%8) % 8; n > 0 {
			if _, err := io.CopyN(io.Discard, r, int64(n)); err != nil {
				return nil, fmt.Errorf("rpm: %s: %w: truncated", what, ErrFormat)
			}
		}
	}
	store := buf[int(nindex)*rpmIndexSize:]
	out := rpmHeader{}
	for i := 0; i < int(nindex); i++ {
		e := buf[i*rpmIndexSize:]
		tag := binary.BigEndian.Uint32(e)
		typ := binary.BigEndian.Uint32(e[4:])
		off := binary.BigEndian.Uint32(e[8:])
		if typ != rpmTypeStr && typ != rpmTypeI18N {
			continue
		}
		if uint64(off) >= uint64(len(store)) {
			return nil, fmt.Errorf("rpm: %s: tag %d: %w: offset %d beyond %d bytes of data", what, tag, ErrFormat, off, len(store))
		}
		s := store[off:]
		end := bytes.IndexByte(s, 0)
		if end < 0 {
			return nil, fmt.Errorf("rpm: %s: tag %d: %w: unterminated string", what, tag, ErrFormat)
		}
		out[tag] = string(s[:end])
	}
	return out, nil
}

// openRPM reads an RPM up to its payload.
func openRPM(r io.Reader, p *Package) error {
	var lead [rpmLeadSize]byte
	if _, err := io.ReadFull(r, lead[:]); err != nil || !bytes.Equal(lead[:4], rpmLeadMagic) {
		return fmt.Errorf("rpm: %w: no lead", ErrFormat)
	}
	if _, err := readRPMHeader(r, "signature header", true); err != nil {
		return err
	}
	h, err := readRPMHeader(r, "header", false)
	if err != nil {
		return err
	}
	p.Name = h[rpmTagName]
	p.Version = h[rpmTagVer]
	if rel := h[rpmTagRel]; rel != "" {
		p.Version += "-" + rel
	}
	p.Arch = h[rpmTagArch]
	zr, closer, err := decompress(r, h[rpmTagComp])
	if err != nil {
		return fmt.Errorf("rpm: payload: %w", err)
	}
	p.closers = append(p.closers, closer)
	next := cpioEntries(errLabel{zr, "rpm: payload"})
	p.next = func() (*Entry, error) {
		e, err := next()
		if err != nil && err != io.EOF {
			err = fmt.Errorf("rpm: payload: %w", err)
		}
		return e, err
	}
	return nil
}
