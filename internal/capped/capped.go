// Package capped keeps bounded lists of what hostile input can make
// unbounded: problems, errors, matches. A list keeps its first items and
// counts the others, so that a report of them stays short.
package capped

import (
	"errors"
	"fmt"
)

// List keeps the first Max items added and counts the rest. The zero
// List keeps nothing.
type List[T any] struct {
	Max   int // items kept
	Items []T // the first Max items added
	More  int // items added past Max
}

// New returns an empty List that keeps max items.
func New[T any](max int) *List[T] { return &List[T]{Max: max} }

// Add adds x.
func (l *List[T]) Add(x T) {
	if len(l.Items) < l.Max {
		l.Items = append(l.Items, x)
		return
	}
	l.More++
}

// Full reports whether l keeps no more items: an item added now is only
// counted, so a caller may count it (l.More++) without making it.
func (l *List[T]) Full() bool { return len(l.Items) >= l.Max }

// Len returns the number of items added.
func (l *List[T]) Len() int { return len(l.Items) + l.More }

// Join joins the errors of l (errors.Join) and, when some were left out,
// a last error that counts them: "and N more WHAT".
func Join(l *List[error], what string) error {
	if l.More > 0 {
		return errors.Join(append(l.Items[:len(l.Items):len(l.Items)], fmt.Errorf("and %d more %s", l.More, what))...)
	}
	return errors.Join(l.Items...)
}
