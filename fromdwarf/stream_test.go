package fromdwarf

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/dedup"
)

// encodeStreamed encodes the file at path and checks that the types were
// deduplicated as they were merged (dedup.Stream), without falling back
// to deduplicating from scratch, and with the result of dedup.Dedup on the
// types as encoded.
func encodeStreamed(t *testing.T, path string) {
	t.Helper()
	var fallback []string
	streamHook = func(s *dedup.Stream) { fallback = append(fallback, s.Fallback()) }
	defer func() { streamHook = nil }()
	got, _, err := EncodeFile(path, &Options{Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(fallback) != 1 || fallback[0] != "" {
		t.Errorf("streams and why they fell back: %q, want one that did not", fallback)
	}
	raw, _, err := EncodeFile(path, &Options{Jobs: 2, NoDedup: true})
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := dedup.Dedup(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Marshal(nil), want.Marshal(nil)) {
		t.Errorf("%s: streamed dedup differs from dedup.Dedup: %d types, want %d", path, got.NumTypes(), want.NumTypes())
	}
}

// TestEncodeStreamsDedup checks the streamed dedup on the small objects of
// testdata, and on the 6.1 vmlinux unless -short.
func TestEncodeStreamsDedup(t *testing.T) {
	for _, name := range []string{"kinds-gcc-dwarf4.o", "tags-clang-dwarf5.o"} {
		t.Run(name, func(t *testing.T) { encodeStreamed(t, filepath.Join("testdata", name)) })
	}
	t.Run("vmlinux", func(t *testing.T) {
		skipShort(t)
		encodeStreamed(t, benchData(t, "vmlinux-"+kernelRelease))
	})
}
