package corerel_test

import (
	"fmt"
	"log"
	"os"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
)

// Relocate an object against the running kernel's BTF, print what each
// relocation decided, and write the relocated object for a loader without
// CO-RE support.
func ExampleRelocate() {
	obj, err := corerel.OpenFile("biolatency.bpf.o")
	if err != nil {
		log.Fatal(err)
	}
	vmlinux, err := btf.LoadSpec("/sys/kernel/btf/vmlinux", nil)
	if err != nil {
		log.Fatal(err)
	}
	target, err := corerel.NewTarget(vmlinux)
	if err != nil {
		log.Fatal(err)
	}
	res, err := corerel.Relocate(obj, target)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range res.Relocations {
		fmt.Printf("prog '%s': insn #%d: %s %s %s -> %d (poisoned: %v)\n",
			r.Program, r.Insn, r.Kind, r.LocalType, r.Access, r.Value, r.Poisoned)
	}
	out, err := res.Object()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("biolatency.relocated.o", out, 0o644); err != nil {
		log.Fatal(err)
	}
}
