//go:build btfhubtest

package main

import (
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// testHook, in binaries built with the btfhubtest tag for the tests, sends
// the process SIGINT when the environment variable BTFHUB_TEST_HOOK names
// stage (SIGTERM for "stage:TERM"), after writing the time in
// nanoseconds to the file BTFHUB_TEST_HOOK_TIME names, and waits until the signal has
// cancelled ctx, so that tests interrupt a command at a known point.
func testHook(ctx context.Context, stage string) {
	want, sig, _ := strings.Cut(os.Getenv("BTFHUB_TEST_HOOK"), ":")
	if want != stage {
		return
	}
	if f := os.Getenv("BTFHUB_TEST_HOOK_TIME"); f != "" {
		os.WriteFile(f, []byte(strconv.FormatInt(time.Now().UnixNano(), 10)), 0o644)
	}
	s := syscall.SIGINT
	if sig == "TERM" {
		s = syscall.SIGTERM
	}
	syscall.Kill(os.Getpid(), s)
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
	}
}

// testReady, in binaries built with the btfhubtest tag, writes an empty
// file at the path BTFHUB_TEST_READY names once main has installed its
// signal handlers, so that a test sends its signal only then.
func testReady() {
	if f := os.Getenv("BTFHUB_TEST_READY"); f != "" {
		os.WriteFile(f, nil, 0o644)
	}
}

// hookWriter returns w, calling testHook for stage after the first write.
func hookWriter(ctx context.Context, w io.Writer, stage string) io.Writer {
	return &stageWriter{ctx: ctx, w: w, stage: stage}
}

type stageWriter struct {
	ctx   context.Context
	w     io.Writer
	stage string
	done  bool
}

func (s *stageWriter) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	if !s.done {
		s.done = true
		testHook(s.ctx, s.stage)
	}
	return n, err
}
