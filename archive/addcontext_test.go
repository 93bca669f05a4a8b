package archive

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

func TestAddContext(t *testing.T) {
	inputs := helperInputs(t, 2)
	dir := filepath.Join(t.TempDir(), "tree")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	results, err := Add(dir, inputs, &AddOptions{Distro: "debian", Version: "12", Arch: "x86_64", Jobs: 1, Context: ctx})
	if !errors.Is(err, context.Canceled) || len(results) != 2 {
		t.Fatalf("%d results, err %v; want 2 and context.Canceled", len(results), err)
	}
	for _, r := range results {
		if r.Outcome != Failed || r.Err.Error() != r.Input+": context canceled" {
			t.Errorf("%s: %v, %v; want failed, %q", r.Input, r.Outcome, r.Err, r.Input+": context canceled")
		}
	}
	checkComplete(t, dir, 0)
}
