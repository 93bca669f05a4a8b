package fromdwarf

import (
	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/dedup"
)

// dedupSpec deduplicates the encoded types (against their base, for a
// module) with package dedup, as pahole hands its encoder's BTF to libbpf's
// btf__dedup. stream, when not nil, is the dedup.Stream the merge handed the
// types of s to as it wrote them (see merger).
func dedupSpec(s *btf.Spec, stream *dedup.Stream) (*btf.Spec, error) {
	var out *btf.Spec
	var err error
	if stream != nil {
		out, _, err = stream.Finish(s, nil)
		if streamHook != nil {
			streamHook(stream)
		}
	} else {
		out, _, err = dedup.Dedup(s, nil)
	}
	return out, err
}

// streamHook, when set (by tests), is called with the stream of each
// deduplication that used one, once finished.
var streamHook func(*dedup.Stream)
