package corerel

import (
	"fmt"
	"math"
)

// poisonImm is the helper id libbpf writes into poisoned instructions:
// 0xbad2310, "bad relo" (src/relo_core.c, bpf_core_poison_insn).
const poisonImm = 195896080

// poisonInsn is the call to a helper that does not exist that replaces an
// instruction whose relocation failed. The verifier rejects it only if it
// is reachable.
var poisonInsn = Insn{Code: classJMP | opCall, Imm: poisonImm}

// patchInsn applies a relocation result to insns[i] (and insns[i+1] for a
// 64-bit immediate load), as libbpf's bpf_core_patch_insn does. It reports
// whether the instruction was poisoned; errors describe why the
// instruction cannot take the relocation.
func patchInsn(insns []Insn, i int, res relocRes) (poisoned bool, err error) {
	in := &insns[i]
	poison := func() (bool, error) {
		if in.IsLdImm64() && i+1 < len(insns) {
			insns[i+1] = poisonInsn
		}
		*in = poisonInsn
		return true, nil
	}
	if res.poison {
		return poison()
	}
	switch in.Class() {
	case classALU, classALU64:
		if in.Code&0x08 != srcK {
			return false, fmt.Errorf("ALU instruction with a register operand cannot be relocated")
		}
		if res.validate && uint64(int64(in.Imm)) != res.origVal {
			return false, fmt.Errorf("unexpected ALU/ALU64 value: got %d, expected %d -> %d", in.Imm, res.origVal, res.newVal)
		}
		in.Imm = int32(res.newVal)
	case classLDX, classST, classSTX:
		if res.validate && uint64(int64(in.Off)) != res.origVal {
			return false, fmt.Errorf("unexpected LDX/ST/STX value: got %d, expected %d -> %d", in.Off, res.origVal, res.newVal)
		}
		if res.newVal > math.MaxInt16 {
			return false, fmt.Errorf("LDX/ST/STX offset %d too big", res.newVal)
		}
		if res.failMemszAdjust {
			// libbpf warns "accesses field incorrectly" and poisons.
			return poison()
		}
		in.Off = int16(res.newVal)
		if res.newSize != res.origSize {
			if got := memSizeBytes(in.Code); got != int(res.origSize) {
				return false, fmt.Errorf("LDX/ST/STX unexpected memory size: got %d, expected %d", got, res.origSize)
			}
			code := memSizeCode(res.newSize)
			if code < 0 {
				return false, fmt.Errorf("LDX/ST/STX invalid new memory size %d", res.newSize)
			}
			in.Code = in.Code&0xe0 | uint8(code) | in.Class()
		}
	case classLD:
		if !in.IsLdImm64() || i+1 >= len(insns) || in.Src != 0 || in.Off != 0 {
			return false, fmt.Errorf("LDIMM64 instruction has an unexpected form")
		}
		hi := &insns[i+1]
		if hi.Code != 0 || hi.Dst != 0 || hi.Src != 0 || hi.Off != 0 {
			return false, fmt.Errorf("LDIMM64 instruction has an unexpected form")
		}
		imm := uint64(uint32(in.Imm)) | uint64(uint32(hi.Imm))<<32
		if res.validate && imm != res.origVal {
			return false, fmt.Errorf("unexpected LDIMM64 value: got %d, expected %d -> %d", imm, res.origVal, res.newVal)
		}
		in.Imm = int32(uint32(res.newVal))
		hi.Imm = int32(uint32(res.newVal >> 32))
	default:
		return false, fmt.Errorf("instruction of code %#x cannot be relocated", in.Code)
	}
	return false, nil
}
