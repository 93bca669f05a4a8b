package objects_test

import (
	"fmt"
	"log"

	"github.com/btfhub/btfhub/objects"
)

// Find the BPF objects a libbpf-based tool carries in its executable.
func ExampleFindFile() {
	objs, err := objects.FindFile("/usr/sbin/opensnoop")
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range objs {
		fmt.Printf("%s: %d bytes at offset %#x\n", o.Name, len(o.Data), o.Offset)
	}
}
