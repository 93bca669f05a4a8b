package btf

import (
	"errors"
	"io"
)

// ErrTooLarge is wrapped by errors about BTF whose header declares more
// bytes than the reader's limit.
var ErrTooLarge = errors.New("larger than the limit")

// HeaderLen is the size of struct btf_header, the bytes that PrefixSize
// needs.
const HeaderLen = headerLen

// PrefixSize checks the BTF header at the start of prefix, which holds at
// least the first HeaderLen bytes of the data (or all of it), and returns
// the size of the whole BTF that the header declares: the header length
// plus the end of the string section. A reader of a stream calls it on the
// first bytes, to refuse what is not BTF before buffering the rest and to
// bound what it reads by the declared size. Decode checks the rest.
func PrefixSize(prefix []byte) (int64, error) {
	if len(prefix) < headerLen {
		if byteOrderOf(prefix) == nil && len(prefix) >= 2 {
			return 0, formatErr(ErrNotBTF, 0, 0, "bad magic %#02x%02x", prefix[0], prefix[1])
		}
		return 0, formatErr(ErrTruncated, 0, 0, "truncated header: %d bytes, need %d", len(prefix), headerLen)
	}
	bo := byteOrderOf(prefix)
	if bo == nil {
		return 0, formatErr(ErrNotBTF, 0, 0, "bad magic %#02x%02x", prefix[0], prefix[1])
	}
	if prefix[2] != 1 {
		return 0, formatErr(ErrUnsupported, 2, 0, "unsupported version %d", prefix[2])
	}
	if prefix[3] != 0 {
		return 0, formatErr(ErrUnsupported, 3, 0, "unsupported flags %#x", prefix[3])
	}
	hdrLen := int64(bo.Uint32(prefix[4:]))
	if hdrLen < headerLen {
		return 0, formatErr(ErrUnsupported, 4, 0, "header length %d shorter than %d", hdrLen, headerLen)
	}
	typeEnd := int64(bo.Uint32(prefix[8:])) + int64(bo.Uint32(prefix[12:]))
	strEnd := int64(bo.Uint32(prefix[16:])) + int64(bo.Uint32(prefix[20:]))
	return hdrLen + max(typeEnd, strEnd), nil
}

// ReadRaw reads raw BTF from a stream: it checks the header in the first
// HeaderLen bytes, refuses BTF whose declared size is larger than limit
// bytes, then reads exactly the declared size in one allocation and
// insists that the stream ends there. It reads no more than it returns,
// whatever the stream holds: a stream of zeros fails after two bytes.
func ReadRaw(r io.Reader, limit int64) ([]byte, error) {
	var head [headerLen]byte
	n, err := io.ReadFull(r, head[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	size, err := PrefixSize(head[:n])
	if err != nil {
		return nil, err
	}
	if size > limit {
		return nil, formatErr(ErrTooLarge, 4, 0, "header declares %d bytes of BTF, more than the limit of %d", size, limit)
	}
	data := make([]byte, size)
	copy(data, head[:])
	if m, err := io.ReadFull(r, data[headerLen:]); err != nil {
		return nil, formatErr(ErrTruncated, int64(headerLen+m), 0, "the header declares %d bytes, the data ends at %d", size, headerLen+m)
	}
	// Reading to the end lets a decompressor check its checksum.
	var one [1]byte
	m, err := io.ReadFull(r, one[:])
	if m > 0 {
		return nil, formatErr(ErrUnsupported, size, 0, "trailing data after the %d bytes the header declares", size)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return data, nil
}
