package fromdwarf

import (
	"context"
	"errors"
	"testing"
)

func TestEncodeContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := EncodeFile("testdata/kinds-gcc-dwarf4.o", &Options{Context: ctx})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, _, err := EncodeFile("testdata/kinds-gcc-dwarf4.o", &Options{Context: context.Background()}); err != nil {
		t.Fatal(err)
	}
}
