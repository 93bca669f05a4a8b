package index

import (
	"fmt"

	"github.com/cespare/xxhash/v2"
)

// Hash returns the xxhash64 of data as the catalogue writes it: 16
// lower-case hex digits.
func Hash(data []byte) string { return fmt.Sprintf("%016x", xxhash.Sum64(data)) }
