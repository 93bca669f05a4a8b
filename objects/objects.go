// Package objects finds BPF ELF objects embedded in other files.
//
// Tools built on libbpf embed their compiled BPF object in the executable:
// a libbpf skeleton (bpftool gen skeleton) holds the whole .bpf.o as a byte
// string in .rodata, and Go programs embed it with go:embed. Find locates
// every such object in a file's bytes, so that the object's BTF and CO-RE
// relocations can be read without the source tree that built it.
package objects

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/btfhub/btfhub/internal/capped"
	"github.com/btfhub/btfhub/internal/safefs"
)

// Object is a BPF ELF object found inside a larger file.
type Object struct {
	// Name is a file name for the object, unique among the objects
	// returned by one call. It comes from the object's own contents when
	// they name a source file (an STT_FILE symbol, or the C file that most
	// of its .BTF.ext line info points to), as in "biolatency.bpf.o";
	// otherwise from its position ("object-0.bpf.o", or, for FindFile,
	// the binary's name).
	Name string
	// Offset is the byte offset of the object's first byte in the file.
	Offset int64
	// Data holds the object's bytes, from its ELF header to the end of its
	// last section or header table. It aliases the slice passed to Find.
	Data []byte
}

// Bounds on what one file may hold, against crafted input: real programs
// embed a handful of objects.
const (
	// MaxObjects is the most objects Find returns; past it, it fails
	// with ErrTooMany.
	MaxObjects = 4096
	// MaxErrors is the most broken matches Find's error names, one a
	// line; a last line counts the others.
	MaxErrors = 8
	// MaxFileSize is the largest file FindFile reads.
	MaxFileSize = 1 << 30
)

// ErrTooMany is returned when data holds more than MaxObjects objects.
var ErrTooMany = errors.New("objects: more than 4096 BPF objects")

// Find returns every BPF ELF object in data, in order of offset: every ELF
// relocatable file (ET_REL) for machine EM_BPF whose header tables and
// sections lie within data. A BPF object on its own is returned as one
// object at offset 0.
//
// A match whose ELF header says it is a BPF object but whose sections run
// past the end of data is reported in the returned error, which joins one
// error per such match (the first MaxErrors, then a count); the objects
// that are whole are returned alongside it. Data that holds no BPF object
// gives no objects and no error. Data that holds more than MaxObjects
// gives ErrTooMany and no objects.
func Find(data []byte) ([]Object, error) {
	objs, err := find(data)
	if errors.Is(err, ErrTooMany) {
		return nil, err
	}
	nameObjects(objs, func(i int) string { return fmt.Sprintf("object-%d", i) })
	return objs, err
}

// find locates the objects in data, leaving them unnamed.
func find(data []byte) ([]Object, error) {
	var objs []Object
	errs := capped.New[error](MaxErrors)
	for off := 0; off < len(data); {
		i := bytes.Index(data[off:], []byte(elf.ELFMAG))
		if i < 0 {
			break
		}
		start := off + i
		n, err := match(data[start:])
		switch {
		case err != nil:
			if errs.Full() {
				errs.More++ // not even formatted: there may be millions
			} else {
				errs.Add(fmt.Errorf("objects: BPF ELF header at offset %#x: %w", start, err))
			}
			off = start + 1
		case n == 0:
			off = start + 1
		default:
			if len(objs) == MaxObjects {
				return nil, ErrTooMany
			}
			objs = append(objs, Object{Offset: int64(start), Data: data[start : start+n : start+n]})
			// An object does not nest inside another: go on after it.
			off = start + n
		}
	}
	return objs, capped.Join(errs, "BPF ELF headers of objects that are not whole")
}

// match returns the size of the BPF object at the start of data, 0 when
// data does not start with the header of a BPF relocatable object, or an
// error when it does but the object is not whole.
func match(data []byte) (int, error) {
	h, err := parseHeader(data)
	if err != nil || h.typ != elf.ET_REL || h.machine != emBPF {
		return 0, nil
	}
	n, err := objectSize(h, data)
	if err != nil {
		return 0, err
	}
	return int(n), nil
}

// FindFile reads the file at path and returns the BPF objects in it, as
// Find does. Objects whose contents do not name them are named after the
// file: "NAME.bpf.o", or "NAME.I.bpf.o" when there are several.
//
// The file must be a regular file of at most MaxFileSize bytes: FindFile
// refuses a FIFO or a device (and a link to one) before reading a byte.
func FindFile(path string) ([]Object, error) {
	data, err := safefs.ReadInput(path, MaxFileSize)
	if err != nil {
		return nil, err
	}
	objs, err := find(data)
	if errors.Is(err, ErrTooMany) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	base := strings.TrimSuffix(filepath.Base(path), ".o")
	base = strings.TrimSuffix(base, ".bpf")
	nameObjects(objs, func(i int) string {
		if len(objs) == 1 {
			return base
		}
		return fmt.Sprintf("%s.%d", base, i)
	})
	if err != nil {
		return objs, fmt.Errorf("%s: %w", path, err)
	}
	return objs, nil
}

// nameObjects sets each object's Name: the source name its contents give,
// else fallback(i), then ".bpf.o", made unique by a numeric suffix.
func nameObjects(objs []Object, fallback func(i int) string) {
	seen := make(map[string]bool, len(objs))
	for i := range objs {
		stem := sourceName(objs[i].Data)
		if stem == "" {
			stem = fallback(i)
		}
		stem = sanitize(stem)
		name := stem + ".bpf.o"
		for k := 2; seen[name]; k++ {
			name = fmt.Sprintf("%s-%d.bpf.o", stem, k)
		}
		seen[name] = true
		objs[i].Name = name
	}
}

// sanitize makes s safe as a file name: no path separators, no leading
// dots, only printable ASCII.
func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c <= ' ' || c >= 0x7f || c == '/' || c == '\\' {
			b[i] = '_'
		}
	}
	s = strings.TrimLeft(string(b), ".")
	if s == "" {
		s = "object"
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
