package corerel

import "encoding/binary"

// InsnSize is the size in bytes of one BPF instruction (struct bpf_insn).
const InsnSize = 8

// Instruction classes and fields of the BPF opcode (linux/bpf_common.h).
const (
	classLD    = 0x00
	classLDX   = 0x01
	classST    = 0x02
	classSTX   = 0x03
	classALU   = 0x04
	classJMP   = 0x05
	classALU64 = 0x07

	sizeW  = 0x00
	sizeH  = 0x08
	sizeB  = 0x10
	sizeDW = 0x18

	modeIMM = 0x00
	srcK    = 0x00
	opCall  = 0x80

	codeLdImm64 = classLD | modeIMM | sizeDW
)

// Insn is one BPF instruction (struct bpf_insn).
type Insn struct {
	Code uint8 // opcode
	Dst  uint8 // destination register, 0-15
	Src  uint8 // source register, 0-15
	Off  int16 // signed offset
	Imm  int32 // signed immediate
}

// Class returns the instruction class (BPF_CLASS).
func (i Insn) Class() uint8 { return i.Code & 0x07 }

// IsLdImm64 reports whether i is the first half of a 64-bit immediate
// load, which takes two instruction slots.
func (i Insn) IsLdImm64() bool { return i.Code == codeLdImm64 }

// decodeInsn decodes an instruction from 8 bytes in byte order bo. The
// register nibbles are laid out as the C bitfields are: dst in the low
// nibble on little-endian targets, in the high nibble on big-endian ones.
func decodeInsn(b []byte, bo binary.ByteOrder) Insn {
	in := Insn{Code: b[0], Off: int16(bo.Uint16(b[2:])), Imm: int32(bo.Uint32(b[4:]))}
	if bo == binary.BigEndian {
		in.Dst, in.Src = b[1]>>4, b[1]&0x0f
	} else {
		in.Dst, in.Src = b[1]&0x0f, b[1]>>4
	}
	return in
}

// encode writes the instruction into 8 bytes in byte order bo.
func (i Insn) encode(b []byte, bo binary.ByteOrder) {
	b[0] = i.Code
	if bo == binary.BigEndian {
		b[1] = i.Dst<<4 | i.Src&0x0f
	} else {
		b[1] = i.Src<<4 | i.Dst&0x0f
	}
	bo.PutUint16(b[2:], uint16(i.Off))
	bo.PutUint32(b[4:], uint32(i.Imm))
}

// memSizeBytes returns the access size of a load or store in bytes, as
// libbpf's insn_bpf_size_to_bytes.
func memSizeBytes(code uint8) int {
	switch code & 0x18 {
	case sizeDW:
		return 8
	case sizeW:
		return 4
	case sizeH:
		return 2
	case sizeB:
		return 1
	}
	return -1
}

// memSizeCode returns the BPF_SIZE bits for an access of n bytes, or -1.
func memSizeCode(n uint32) int {
	switch n {
	case 8:
		return sizeDW
	case 4:
		return sizeW
	case 2:
		return sizeH
	case 1:
		return sizeB
	}
	return -1
}
