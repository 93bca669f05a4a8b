package btf

import (
	"encoding/binary"
	"slices"
)

// DecodeOptions relax the checks of Decode, for tools that must read BTF
// the kernel would refuse.
type DecodeOptions struct {
	// AllowReferenceLoops accepts a chain of references that returns to
	// where it started without passing through a struct or union, such as
	// the typedef `type T *T` that Go and Rust toolchains emit (a TYPEDEF
	// whose PTR points back at it). Decode rejects such loops with
	// ErrTypeLoop, as the kernel's checker does; with this option the spec
	// is returned and Spec.Validate still reports the loop.
	//
	// Every function of this package that follows references is bounded
	// on such a spec: ResolveSize gives up after 32 steps, SkipQualifiers
	// after NextID steps (returning void), and the text, JSON and C output
	// print each type by id or by name.
	AllowReferenceLoops bool
}

// DecodeWith is Decode with opts.
func DecodeWith(data []byte, base *Spec, opts *DecodeOptions) (*Spec, error) {
	return decodeOpts(data, base, false, opts.value())
}

// value returns the options, the zero ones for nil.
func (o *DecodeOptions) value() DecodeOptions {
	if o == nil {
		return DecodeOptions{}
	}
	return *o
}

// NewSpecFromRawWith is NewSpecFromRaw with opts.
func NewSpecFromRawWith(words []uint32, strs string, base *Spec, bo binary.ByteOrder, hdrLen int, opts *DecodeOptions) (*Spec, error) {
	if bo == nil {
		bo = binary.LittleEndian
	}
	if hdrLen < headerLen {
		hdrLen = headerLen
	}
	return newSpecOpts(words, strs, base, bo, uint32(hdrLen), opts.value())
}

// SpecWith is Spec with opts.
func (b *Builder) SpecWith(opts *DecodeOptions) (*Spec, error) {
	if b.err != nil {
		return nil, b.err
	}
	return newSpecOpts(slices.Clone(b.words), string(b.strs), b.base, binary.LittleEndian, headerLen, opts.value())
}

// CheckReferenceLoops reports the first chain of references among the
// spec's own types that returns to where it started without passing
// through a struct or union, as an error wrapping ErrTypeLoop that names
// the types on it, or nil when there is none. Only a spec decoded with
// DecodeOptions.AllowReferenceLoops can have one.
func (s *Spec) CheckReferenceLoops() error {
	// The walk of checkLoops starts from the types with an edge to an id
	// at or above their own, as index finds them while decoding.
	var forward []uint32
	for i := range len(s.offs) - 1 {
		w := s.words[s.offs[i]:s.offs[i+1]]
		self := s.firstID + TypeID(i)
		for n := 0; ; n++ {
			to, ok := refEdge(w, n)
			if !ok {
				break
			}
			if to >= self {
				forward = append(forward, uint32(i))
				break
			}
		}
	}
	return s.checkLoops(forward, nil)
}

// checkLoopsWithBase is CheckReferenceLoops for the spec and its bases.
func (s *Spec) checkLoopsWithBase() error {
	for ; s != nil; s = s.base {
		if err := s.CheckReferenceLoops(); err != nil {
			return err
		}
	}
	return nil
}
