package diff

import (
	"context"
	"errors"
	"testing"

	"github.com/btfhub/btfhub/btf"
)

func TestCompareContext(t *testing.T) {
	s := buildSpec(t, func(b *btf.Builder, c builtTypes) {})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r, err := CompareContext(ctx, s, s); r != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: report %v, err %v; want none and context.Canceled", r, err)
	}
	if r, err := CompareContext(context.Background(), s, s); err != nil || !r.Empty() {
		t.Fatalf("not cancelled: report %v, err %v", r, err)
	}
}
