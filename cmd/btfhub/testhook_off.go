//go:build !btfhubtest

package main

import (
	"context"
	"io"
)

// testHook does nothing outside the tests' btfhubtest builds (see
// testhook.go).
func testHook(ctx context.Context, stage string) {}

// hookWriter returns w outside the tests' btfhubtest builds.
func hookWriter(ctx context.Context, w io.Writer, stage string) io.Writer { return w }

// testReady does nothing outside the tests' btfhubtest builds.
func testReady() {}
