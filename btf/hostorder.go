package btf

import (
	"encoding/binary"
	"unsafe"
)

// hostLittle reports whether this machine stores words little-endian.
var hostLittle = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// isHostOrder reports whether bo is the byte order of this machine.
func isHostOrder(bo binary.ByteOrder) bool {
	return (bo == binary.LittleEndian) == hostLittle
}

// hostWords returns the words of a type section in host order. When the
// section is already in host order it is copied as a block, or, when owned
// is true and the section is 4-byte aligned, used in place: the caller hands
// the buffer over and never touches it again. Otherwise each word is
// byte-swapped.
//
// Decoding the pre-deduplication BTF of a kernel (132 MB) spends most of
// its time here when the words are converted one by one; using the buffer
// in place also halves the memory a decoded file holds.
func hostWords(sec []byte, bo binary.ByteOrder, owned bool) []uint32 {
	n := len(sec) / 4
	if n == 0 {
		return nil
	}
	sec = sec[:4*n]
	if isHostOrder(bo) {
		if owned && uintptr(unsafe.Pointer(&sec[0]))%4 == 0 {
			return unsafe.Slice((*uint32)(unsafe.Pointer(&sec[0])), n)
		}
		words := make([]uint32, n)
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), 4*n), sec)
		return words
	}
	words := make([]uint32, n)
	if bo == binary.LittleEndian {
		for i := range words {
			words[i] = binary.LittleEndian.Uint32(sec[4*i : 4*i+4])
		}
	} else {
		for i := range words {
			words[i] = binary.BigEndian.Uint32(sec[4*i : 4*i+4])
		}
	}
	return words
}

// hostString returns b as a string, without a copy when owned is true.
func hostString(b []byte, owned bool) string {
	if owned && len(b) > 0 {
		return unsafe.String(&b[0], len(b))
	}
	return string(b)
}
