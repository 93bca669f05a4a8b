package capped_test

import (
	"fmt"

	"github.com/btfhub/btfhub/internal/capped"
)

func Example() {
	errs := capped.New[error](2)
	for off := range 5 {
		errs.Add(fmt.Errorf("bad header at offset %#x", off*64))
	}
	fmt.Println(capped.Join(errs, "bad headers"))
	// Output:
	// bad header at offset 0x0
	// bad header at offset 0x40
	// and 3 more bad headers
}
