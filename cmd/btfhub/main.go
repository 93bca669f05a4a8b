// Command btfhub reads, writes, deduplicates, encodes, relocates, minimizes
// and archives BTF, the BPF Type Format. Run "btfhub help" for the commands.
//
// Exit status: 0 on success, 1 on failure with a one-line error on
// standard error, 2 for bad usage.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCommand().ExecuteContext(ctx)
	stop()
	os.Exit(exitCode(err))
}

// exitCode prints err, if any, and returns the process's exit status.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "btfhub:", err)
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}
