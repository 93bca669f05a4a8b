package fromdwarf

import (
	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/dedup"
)

// dedupSpec deduplicates the encoded types (against their base, for a
// module) with package dedup, as pahole hands its encoder's BTF to libbpf's
// btf__dedup.
func dedupSpec(s *btf.Spec) (*btf.Spec, error) {
	out, _, err := dedup.Dedup(s, nil)
	return out, err
}
