package corerel_test

import (
	"bytes"
	"debug/elf"
	"errors"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/testutil"
)

// TestOpenLibbpfTools reads every libbpf-tools object: programs cover
// their sections' functions, subprograms live in .text, and the maps of
// .maps are found.
func TestOpenLibbpfTools(t *testing.T) {
	subprogs, maps := 0, 0
	for _, o := range testutil.LibbpfToolsObjects(t) {
		obj, err := corerel.Open(o.Data)
		if err != nil {
			t.Fatalf("%s: %v", o.Name, err)
		}
		if len(obj.Programs) == 0 || obj.BTF == nil {
			t.Errorf("%s: %d programs, BTF %v", o.Name, len(obj.Programs), obj.BTF != nil)
		}
		for _, p := range obj.Programs {
			if p.Subprogram {
				subprogs++
				if p.Section != ".text" {
					t.Errorf("%s: subprogram %s in %s", o.Name, p.Name, p.Section)
				}
			}
			if got := obj.ProgramAt(p.SectionIndex, p.Offset+len(p.Insns)-1); got != p {
				t.Errorf("%s: ProgramAt the last instruction of %s gives %v", o.Name, p.Name, got)
			}
		}
		maps += len(obj.Maps)
	}
	if subprogs == 0 || maps == 0 {
		t.Errorf("%d subprograms and %d maps over all objects", subprogs, maps)
	}
}

// objectWithCORE returns a libbpf-tools object that has CO-RE records, and
// the file offset of its .BTF.ext section.
func objectWithCORE(t *testing.T) ([]byte, int64) {
	t.Helper()
	for _, o := range testutil.LibbpfToolsObjects(t) {
		obj, err := corerel.Open(o.Data)
		if err != nil || obj.Ext == nil || len(obj.Ext.CORERelos) == 0 {
			continue
		}
		f, err := elf.NewFile(bytes.NewReader(o.Data))
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Clone(o.Data), int64(f.Section(btf.SectionBTFExt).Offset)
	}
	t.Fatal("no libbpf-tools object with CO-RE records")
	return nil, 0
}

// TestBadExt checks the errors for a malformed .BTF.ext and for CO-RE
// records that do not point at an instruction.
func TestBadExt(t *testing.T) {
	data, extOff := objectWithCORE(t)

	bad := bytes.Clone(data)
	bad[extOff+2] = 7 // version
	_, err := corerel.Open(bad)
	if err == nil || !strings.Contains(err.Error(), ".BTF.ext") || !errors.Is(err, btf.ErrUnsupported) {
		t.Errorf("bad .BTF.ext version: %v", err)
	}

	obj, err := corerel.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	// Move the first CO-RE record to the middle of an instruction.
	hdrLen := obj.ByteOrder.Uint32(data[extOff+4:])
	coreOff := obj.ByteOrder.Uint32(data[extOff+24:])
	rec := extOff + int64(hdrLen) + int64(coreOff) + 4 + 8 // record size word, section header
	bad = bytes.Clone(data)
	obj.ByteOrder.PutUint32(bad[rec:], obj.ByteOrder.Uint32(bad[rec:])+4)
	obj, err = corerel.Open(bad)
	if err != nil {
		t.Fatal(err)
	}
	vmlinux, err := btf.Decode(testutil.KernelBTF(t, testutil.Kernels[0]), nil)
	if err != nil {
		t.Fatal(err)
	}
	target, _ := corerel.NewTarget(vmlinux)
	_, err = corerel.Relocate(obj, target)
	var re *corerel.RelocationError
	if !errors.As(err, &re) || !errors.Is(err, corerel.ErrBadRelocation) || re.Index != 0 {
		t.Errorf("record in the middle of an instruction: %v", err)
	}
	t.Log(err)
}

// TestRelocatedObject checks the output object: it reads back with the
// same programs, no CO-RE records, the other .BTF.ext records unchanged,
// and relocating it again changes nothing.
func TestRelocatedObject(t *testing.T) {
	vmlinux, err := btf.Decode(testutil.KernelBTF(t, testutil.Kernels[1]), nil)
	if err != nil {
		t.Fatal(err)
	}
	target, _ := corerel.NewTarget(vmlinux)
	for _, o := range testutil.LibbpfToolsObjects(t) {
		obj, err := corerel.Open(o.Data)
		if err != nil {
			t.Fatal(err)
		}
		res, err := corerel.Relocate(obj, target)
		if err != nil {
			t.Fatalf("%s: %v", o.Name, err)
		}
		out, err := res.Object()
		if err != nil {
			t.Fatalf("%s: %v", o.Name, err)
		}
		back, err := corerel.Open(out)
		if err != nil {
			t.Fatalf("%s: relocated object: %v", o.Name, err)
		}
		if back.Ext != nil && len(back.Ext.CORERelos) != 0 {
			t.Errorf("%s: CO-RE records left", o.Name)
		}
		if obj.Ext != nil && (len(back.Ext.FuncInfos) != len(obj.Ext.FuncInfos) || len(back.Ext.LineInfos) != len(obj.Ext.LineInfos)) {
			t.Errorf("%s: func or line info lost", o.Name)
		}
		if len(back.Programs) != len(obj.Programs) {
			t.Fatalf("%s: %d programs, want %d", o.Name, len(back.Programs), len(obj.Programs))
		}
		for _, r := range res.Relocations {
			p := back.Program(r.Program)
			in := p.Insns[r.Insn]
			switch {
			case r.Poisoned:
				if in.Code != 0x85 || in.Imm != 0xbad2310 {
					t.Errorf("%s: prog %s insn #%d not poisoned: %+v", o.Name, r.Program, r.Insn, in)
				}
			case in.Class() == 0x01 || in.Class() == 0x02 || in.Class() == 0x03:
				if uint64(in.Off) != r.Value {
					t.Errorf("%s: prog %s insn #%d: off %d, want %d", o.Name, r.Program, r.Insn, in.Off, r.Value)
				}
			case !in.IsLdImm64():
				if uint64(uint32(in.Imm)) != r.Value&0xffffffff {
					t.Errorf("%s: prog %s insn #%d: imm %d, want %d", o.Name, r.Program, r.Insn, in.Imm, r.Value)
				}
			}
		}
	}
}
