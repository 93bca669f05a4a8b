package btf_test

import (
	"fmt"
	"log"
	"os"

	"github.com/btfhub/btfhub/btf"
)

// Read the CO-RE relocations of a BPF object.
func ExampleLoadExt() {
	f, err := os.Open("../testdata/objects/opensnoop.bpf.o")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	spec, err := btf.LoadSpecFromReader(f, nil)
	if err != nil {
		log.Fatal(err)
	}
	ext, err := btf.LoadExt(f, spec)
	if err != nil {
		log.Fatal(err)
	}
	for _, sec := range ext.CORERelos[:1] {
		for _, r := range sec.Records[:2] {
			typ, _ := spec.Type(r.TypeID)
			access, _ := spec.StringAt(r.AccessStrOff)
			fmt.Printf("%s insn %d: %s of %s %s, access %s\n", sec.Name, r.Insn(), r.Kind, typ.Kind(), typ.Name(), access)
		}
	}
	// Output:
	// tracepoint/syscalls/sys_enter_open insn 32: byte_off of STRUCT trace_event_raw_sys_enter, access 0:2:0
	// tracepoint/syscalls/sys_enter_open insn 34: byte_off of STRUCT trace_event_raw_sys_enter, access 0:2:1
}

// Wrap raw BTF in an ELF file, as vmlinux carries it.
func ExampleSpec_MarshalELF() {
	spec, err := btf.LoadSpec("/sys/kernel/btf/vmlinux", nil)
	if err != nil {
		log.Fatal(err)
	}
	data, err := spec.MarshalELF(nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("vmlinux.btf.o", data, 0o644); err != nil {
		log.Fatal(err)
	}
}
