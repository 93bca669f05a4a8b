package fetch

import (
	"context"
	"errors"
	"time"
)

// backoff is the delay before the try that follows the failed-th
// consecutive failure: base, doubled for each further failure, capped at
// MaxBackoff.
func backoff(base time.Duration, failed int) time.Duration {
	d := min(base, MaxBackoff)
	for i := 1; i < failed && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(d, MaxBackoff)
}

// delay is the wait before the next try after err, the failed-th
// consecutive failure: the response's Retry-After when it asked for one
// the client honours, else the backoff.
func (s *settings) delay(failed int, err error) time.Duration {
	var status *StatusError
	if errors.As(err, &status) && status.hasRetryAfter {
		return status.retryAfter
	}
	return backoff(s.backoff, failed)
}

// retrying calls OnRetry, if set.
func (s *settings) retrying(url string, attempt int, err error) {
	if s.onRetry != nil {
		s.onRetry(url, attempt, err)
	}
}

// sleep waits for d or until ctx is done, whose error it then returns.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
