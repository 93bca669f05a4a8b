// Command btfhub reads, writes, deduplicates, encodes, relocates, minimizes
// and archives BTF, the BPF Type Format. Run "btfhub help" for the commands.
//
// Exit status: 0 on success; 1 on failure, with a one-line error on
// standard error starting with "btfhub: "; 2 for bad usage. SIGINT
// (Ctrl-C) and SIGTERM stop any command within a second: it prints
// "btfhub: interrupted", leaves no partial or temporary output file, and
// exits with 130 for SIGINT and 143 for SIGTERM (128 + the signal number,
// as shells report). A second signal stops at once. A command that
// finished before the signal reached it exits as it would have.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/btfhub/btfhub/internal/atomicfile"
)

// grace is how long an interrupted command has to return by itself before
// the process exits anyway.
const grace = 300 * time.Millisecond

// errInterrupted is the cause of the command's context when a signal
// arrives.
var errInterrupted = errors.New("interrupted")

func main() {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	testReady()
	ctx, cancel := context.WithCancelCause(context.Background())
	var once sync.Once
	// exit ends the process: after signal s when that is not nil, else
	// with err's status. Only its first call counts.
	exit := func(s os.Signal, err error) {
		once.Do(func() {
			if s != nil {
				atomicfile.RemoveTemps()
				fmt.Fprintln(os.Stderr, "btfhub: interrupted")
				os.Exit(signalStatus(s))
			}
			os.Exit(exitCode(os.Stderr, err))
		})
	}
	var mu sync.Mutex
	var caught os.Signal
	go func() {
		s := <-sigs
		mu.Lock()
		caught = s
		mu.Unlock()
		cancel(errInterrupted)
		select {
		case <-time.After(grace):
		case <-sigs:
		}
		exit(s, errInterrupted)
	}()
	err := newRootCommand().ExecuteContext(ctx)
	mu.Lock()
	s := caught
	mu.Unlock()
	if err == nil {
		// Finished before the signal took effect.
		s = nil
	}
	exit(s, err)
}

// signalStatus is the exit status for a process stopped by s.
func signalStatus(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 1
}

// exitCode prints err, if any, on w as one line and returns the process's
// exit status.
func exitCode(w io.Writer, err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(w, "btfhub: "+oneLine(err))
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}
