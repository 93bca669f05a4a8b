package readguard

import (
	"errors"
	"testing"
)

func TestRun(t *testing.T) {
	want := errors.New("plain")
	if err := Run(func() error { return want }); err != want {
		t.Errorf("Run returned %v, want the function's error", err)
	}
	if err := Run(func() error { return nil }); err != nil {
		t.Errorf("Run returned %v, want nil", err)
	}
	err := Run(func() error {
		var s []int
		_ = s[3]
		return nil
	})
	if !errors.Is(err, ErrPanic) {
		t.Errorf("a panic gave %v, want an error wrapping ErrPanic", err)
	}
}
