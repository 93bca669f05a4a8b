package dedup

import (
	"context"
	"errors"
	"testing"
)

func TestDedupContext(t *testing.T) {
	// Two identical ints: int.
	types := []uint32{1, 1 << 24, 4, 0x01000020, 1, 1 << 24, 4, 0x01000020}
	spec := mustDecode(t, rawBTF(types, "\x00int\x00"), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Dedup(spec, &Options{Context: ctx}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err = %v, want context.Canceled", err)
	}
	out, res, err := Dedup(spec, &Options{Context: context.Background()})
	if err != nil || res.After != 1 || out.NumTypes() != 1 {
		t.Fatalf("not cancelled: err %v, %v types", err, res)
	}
}
