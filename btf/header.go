package btf

import "encoding/binary"

// Magic is the value of the first two bytes of BTF data, read in the data's
// byte order (BTF_MAGIC).
const Magic = 0xeB9F

// headerLen is the size of struct btf_header: magic, version, flags,
// hdr_len, then offset and length of the type and string sections.
const headerLen = 24

// header is struct btf_header of linux/btf.h.
type header struct {
	HdrLen  uint32
	TypeOff uint32
	TypeLen uint32
	StrOff  uint32
	StrLen  uint32
}

// byteOrderOf returns the byte order implied by BTF magic, or nil.
func byteOrderOf(data []byte) binary.ByteOrder {
	if len(data) < 2 {
		return nil
	}
	switch {
	case data[0] == 0x9f && data[1] == 0xeb:
		return binary.LittleEndian
	case data[0] == 0xeb && data[1] == 0x9f:
		return binary.BigEndian
	}
	return nil
}

// parseHeader checks struct btf_header and the section layout. It accepts
// what libbpf's btf_parse_hdr accepts and the kernel's btf_check_sec_info
// too: a version 1 header with no flags, any extra header bytes zero, and
// the type section (4-byte aligned) followed directly by the string section,
// which runs to the end of the data.
func parseHeader(data []byte) (header, binary.ByteOrder, error) {
	var h header
	if len(data) < headerLen {
		if byteOrderOf(data) == nil && len(data) >= 2 {
			return h, nil, formatErr(ErrNotBTF, 0, 0, "bad magic %#02x%02x", data[0], data[1])
		}
		return h, nil, formatErr(ErrTruncated, 0, 0, "truncated header: %d bytes, need %d", len(data), headerLen)
	}
	bo := byteOrderOf(data)
	if bo == nil {
		return h, nil, formatErr(ErrNotBTF, 0, 0, "bad magic %#02x%02x", data[0], data[1])
	}
	if data[2] != 1 {
		return h, nil, formatErr(ErrUnsupported, 2, 0, "unsupported version %d", data[2])
	}
	if data[3] != 0 {
		return h, nil, formatErr(ErrUnsupported, 3, 0, "unsupported flags %#x", data[3])
	}
	h = header{
		HdrLen:  bo.Uint32(data[4:]),
		TypeOff: bo.Uint32(data[8:]),
		TypeLen: bo.Uint32(data[12:]),
		StrOff:  bo.Uint32(data[16:]),
		StrLen:  bo.Uint32(data[20:]),
	}
	if h.HdrLen < headerLen {
		return h, nil, formatErr(ErrUnsupported, 4, 0, "header length %d shorter than %d", h.HdrLen, headerLen)
	}
	if uint64(h.HdrLen) > uint64(len(data)) {
		return h, nil, formatErr(ErrTruncated, 4, 0, "truncated header: header length %d but only %d bytes", h.HdrLen, len(data))
	}
	for i := headerLen; i < int(h.HdrLen); i++ {
		if data[i] != 0 {
			return h, nil, formatErr(ErrUnsupported, int64(i), 0, "unsupported non-zero header field")
		}
	}
	body := uint64(len(data)) - uint64(h.HdrLen)
	typeEnd := uint64(h.TypeOff) + uint64(h.TypeLen)
	strEnd := uint64(h.StrOff) + uint64(h.StrLen)
	switch {
	case typeEnd > body:
		return h, nil, formatErr(ErrTruncated, 8, 0, "type section at %d+%d past the end of the data (%d bytes after the header)", h.TypeOff, h.TypeLen, body)
	case strEnd > body:
		return h, nil, formatErr(ErrTruncated, 16, 0, "string section at %d+%d past the end of the data (%d bytes after the header)", h.StrOff, h.StrLen, body)
	case h.TypeOff%4 != 0 || h.TypeLen%4 != 0:
		return h, nil, formatErr(ErrUnsupported, 8, 0, "type section at %d+%d is not 4-byte aligned", h.TypeOff, h.TypeLen)
	case h.TypeOff != 0 || typeEnd != uint64(h.StrOff):
		return h, nil, formatErr(ErrUnsupported, 8, 0, "unsupported section layout: types at %d+%d, strings at %d+%d", h.TypeOff, h.TypeLen, h.StrOff, h.StrLen)
	case strEnd != body:
		return h, nil, formatErr(ErrUnsupported, int64(uint64(h.HdrLen)+strEnd), 0, "%d bytes of trailing data after the string section", body-strEnd)
	}
	return h, bo, nil
}
