package capped

import (
	"errors"
	"fmt"
	"testing"
)

func TestList(t *testing.T) {
	for _, tc := range []struct {
		max, add  int
		kept, len int
		msg       string
	}{
		{max: 3, add: 0, kept: 0, len: 0, msg: "<nil>"},
		{max: 3, add: 2, kept: 2, len: 2, msg: "e0\ne1"},
		{max: 3, add: 3, kept: 3, len: 3, msg: "e0\ne1\ne2"},
		{max: 3, add: 1000, kept: 3, len: 1000, msg: "e0\ne1\ne2\nand 997 more errors"},
		{max: 0, add: 2, kept: 0, len: 2, msg: "and 2 more errors"},
	} {
		l := New[error](tc.max)
		for i := range tc.add {
			l.Add(fmt.Errorf("e%d", i))
		}
		if len(l.Items) != tc.kept || l.Len() != tc.len {
			t.Errorf("max %d, %d added: kept %d, Len %d; want %d, %d", tc.max, tc.add, len(l.Items), l.Len(), tc.kept, tc.len)
		}
		if got := fmt.Sprint(Join(l, "errors")); got != tc.msg {
			t.Errorf("max %d, %d added: Join = %q, want %q", tc.max, tc.add, got, tc.msg)
		}
	}
}

func TestJoinKeepsErrors(t *testing.T) {
	sentinel := errors.New("sentinel")
	l := New[error](1)
	l.Add(fmt.Errorf("wrapped: %w", sentinel))
	l.Add(errors.New("other"))
	if err := Join(l, "errors"); !errors.Is(err, sentinel) {
		t.Errorf("Join(...) = %v, does not wrap the sentinel", err)
	}
}
