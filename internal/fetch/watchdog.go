package fetch

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// watchdog cancels an attempt's context when one wait for the network,
// for the response headers or for body bytes, lasts its timeout. The time
// the reader spends between reads does not count: a slow consumer is not
// a stalled server. Waits are marked with enter and leave, which cost a
// clock read and an atomic store each, so they can wrap every read; a
// timer checks, when it fires, how long the current wait has lasted, and
// either cancels or sleeps for the rest of the timeout.
type watchdog struct {
	timeout time.Duration
	cancel  context.CancelCauseFunc
	start   time.Time
	// since is 1 + the time since start at which the current wait
	// began, in ns, or 0 outside waits.
	since atomic.Int64
	fired atomic.Bool

	mu      sync.Mutex // guards stopped and the timer's re-arming
	stopped bool
	timer   *time.Timer
}

// newWatchdog returns a context derived from parent for one attempt, and
// the watchdog that cancels it when a wait lasts timeout. The first wait,
// for the response, begins at once. The caller must call stop when the
// attempt ends.
func newWatchdog(parent context.Context, timeout time.Duration) (context.Context, *watchdog) {
	ctx, cancel := context.WithCancelCause(parent)
	w := &watchdog{timeout: timeout, cancel: cancel, start: time.Now()}
	w.since.Store(1)
	w.mu.Lock()
	w.timer = time.AfterFunc(timeout, w.check)
	w.mu.Unlock()
	return ctx, w
}

// enter marks the start of a wait for the network.
func (w *watchdog) enter() { w.since.Store(int64(time.Since(w.start)) + 1) }

// leave marks the end of a wait.
func (w *watchdog) leave() { w.since.Store(0) }

// check runs when the timer fires.
func (w *watchdog) check() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	next := w.timeout
	if since := w.since.Load(); since != 0 {
		waited := time.Since(w.start) - time.Duration(since-1)
		if waited >= w.timeout {
			w.stopped = true
			w.fired.Store(true)
			w.cancel(errStalled)
			return
		}
		next = w.timeout - waited
	}
	w.timer.Reset(next)
}

// stalled tells whether the watchdog cancelled the attempt.
func (w *watchdog) stalled() bool { return w.fired.Load() }

// stop ends the watch and cancels the attempt's context, which releases
// its resources; a connection whose body was read to its end and closed
// before is kept for reuse.
func (w *watchdog) stop() {
	w.mu.Lock()
	w.stopped = true
	w.timer.Stop()
	w.mu.Unlock()
	w.cancel(context.Canceled)
}
