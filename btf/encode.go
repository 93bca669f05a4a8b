package btf

import (
	"encoding/binary"
	"io"
)

// Marshal encodes the spec's own types and strings as raw BTF in byte order
// bo, or in the order it was decoded from when bo is nil. A split spec
// encodes only its own part, as the kernel exposes module BTF.
//
// Decoding raw BTF and marshalling it in the same byte order gives back the
// input, byte for byte.
func (s *Spec) Marshal(bo binary.ByteOrder) []byte {
	if bo == nil {
		bo = s.order
	}
	buf := make([]byte, s.MarshalSize())
	s.marshalTo(buf, bo)
	return buf
}

// MarshalSize returns the number of bytes Marshal writes.
func (s *Spec) MarshalSize() int { return int(s.hdrLen) + 4*len(s.words) + len(s.strs) }

// WriteTo writes the spec as Marshal(nil) encodes it.
func (s *Spec) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(s.Marshal(nil))
	return int64(n), err
}

func (s *Spec) marshalTo(buf []byte, bo binary.ByteOrder) {
	typeLen := uint32(4 * len(s.words))
	bo.PutUint16(buf[0:], Magic)
	buf[2] = 1 // version
	buf[3] = 0 // flags
	bo.PutUint32(buf[4:], s.hdrLen)
	bo.PutUint32(buf[8:], 0)
	bo.PutUint32(buf[12:], typeLen)
	bo.PutUint32(buf[16:], typeLen)
	bo.PutUint32(buf[20:], uint32(len(s.strs)))
	clear(buf[headerLen:s.hdrLen])
	out := buf[s.hdrLen:]
	if bo == binary.LittleEndian {
		for i, v := range s.words {
			binary.LittleEndian.PutUint32(out[4*i:], v)
		}
	} else {
		for i, v := range s.words {
			binary.BigEndian.PutUint32(out[4*i:], v)
		}
	}
	copy(out[typeLen:], s.strs)
}
