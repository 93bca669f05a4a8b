package fetch

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/btfhub/btfhub/repo"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		base   time.Duration
		failed int
		want   time.Duration
	}{
		{time.Second, 0, time.Second},
		{time.Second, 1, time.Second},
		{time.Second, 2, 2 * time.Second},
		{time.Second, 3, 4 * time.Second},
		{time.Second, 5, 16 * time.Second},
		{time.Second, 6, 30 * time.Second},
		{time.Second, 1 << 30, 30 * time.Second},
		{time.Hour, 1, 30 * time.Second},
		{time.Millisecond, 4, 8 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := backoff(tt.base, tt.failed); got != tt.want {
			t.Errorf("backoff(%v, %d) = %v, want %v", tt.base, tt.failed, got, tt.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"1", time.Second, true},
		{" 60 ", time.Minute, true},
		{"61", 0, false},
		{"120", 0, false},
		{"99999999999999999999", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{"1.5", 0, false},
		{"", 0, false},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSettingsDelay(t *testing.T) {
	s := (&Client{Backoff: 10 * time.Millisecond}).settings()
	withRetryAfter := func(code int, v string) error {
		h := http.Header{}
		h.Set("Retry-After", v)
		return fmt.Errorf("wrapped: %w", newStatusError(&http.Response{StatusCode: code, Header: h}))
	}
	tests := []struct {
		name   string
		failed int
		err    error
		want   time.Duration
	}{
		{"plain", 3, io.ErrUnexpectedEOF, 40 * time.Millisecond},
		{"429 honoured", 3, withRetryAfter(429, "2"), 2 * time.Second},
		{"503 honoured", 1, withRetryAfter(503, "0"), 0},
		{"500 not", 1, withRetryAfter(500, "2"), 10 * time.Millisecond},
		{"too long", 2, withRetryAfter(429, "3600"), 20 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := s.delay(tt.failed, tt.err); got != tt.want {
			t.Errorf("%s: delay %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSettingsDefaults(t *testing.T) {
	s := (&Client{}).settings()
	if s.http == nil || s.attempts != DefaultAttempts || s.backoff != DefaultBackoff ||
		s.stall != DefaultStallTimeout || s.agent != DefaultUserAgent {
		t.Errorf("defaults %+v", s)
	}
	tr, ok := NewHTTPClient().Transport.(*http.Transport)
	if !ok || !tr.DisableCompression || tr.MaxIdleConnsPerHost < 16 || tr.ResponseHeaderTimeout != time.Minute ||
		tr.TLSHandshakeTimeout != 30*time.Second || tr.Proxy == nil {
		t.Errorf("transport %+v", tr)
	}
	if NewHTTPClient().Timeout != 0 || NewHTTPClient().CheckRedirect == nil {
		t.Errorf("client settings")
	}
}

func TestTransient(t *testing.T) {
	status := func(code int) error {
		return newStatusError(&http.Response{StatusCode: code, Header: http.Header{}})
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"500", status(500), true},
		{"503", status(503), true},
		{"408", status(408), true},
		{"429", status(429), true},
		{"400", status(400), false},
		{"404", status(404), false},
		{"416", status(416), false},
		{"206", status(206), false},
		{"unexpected EOF", io.ErrUnexpectedEOF, true},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), true},
		{"stall", fmt.Errorf("%w: x", errStalled), true},
		{"short", &shortError{1, 2}, true},
		{"bad range", &badRangeError{"x", 1}, true},
		{"cancelled", context.Canceled, false},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), false},
		{"redirect", fmt.Errorf("x: %w", errRedirect), false},
		{"too large", errTooLarge, false},
		{"checksum", fmt.Errorf("x: %w", repo.ErrChecksum), false},
		{"certificate", x509.UnknownAuthorityError{}, false},
		{"other", errors.New("something"), true},
	}
	for _, tt := range tests {
		if got := transient(tt.err); got != tt.want {
			t.Errorf("%s: transient(%v) = %v", tt.name, tt.err, got)
		}
	}
}

func TestStatusError(t *testing.T) {
	e := newStatusError(&http.Response{StatusCode: 404, Header: http.Header{}})
	if e.Error() != "HTTP 404 Not Found" || !errors.Is(e, repo.ErrNotFound) {
		t.Errorf("%v", e)
	}
	e = newStatusError(&http.Response{StatusCode: 500, Status: "500 Oops", Header: http.Header{}})
	if e.Error() != "HTTP 500 Oops" || errors.Is(e, repo.ErrNotFound) {
		t.Errorf("%v", e)
	}
}

func TestSleep(t *testing.T) {
	if err := sleep(context.Background(), time.Millisecond); err != nil {
		t.Error(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Errorf("%v after %v", err, time.Since(start))
	}
	if err := sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("%v", err)
	}
}

func TestWatchdog(t *testing.T) {
	// Waits shorter than the timeout, and time outside waits, keep the
	// attempt alive past its timeout.
	ctx, wd := newWatchdog(context.Background(), 300*time.Millisecond)
	for range 3 {
		time.Sleep(10 * time.Millisecond)
		wd.leave()
		time.Sleep(300 * time.Millisecond)
		wd.enter()
	}
	if ctx.Err() != nil || wd.stalled() {
		t.Fatal("cancelled despite progress")
	}
	// A long wait fires, with errStalled as the cause.
	wd.enter()
	select {
	case <-ctx.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("did not fire")
	}
	if !wd.stalled() || !errors.Is(context.Cause(ctx), errStalled) {
		t.Errorf("stalled %v, cause %v", wd.stalled(), context.Cause(ctx))
	}
	wd.stop()

	// A stopped watchdog does not fire.
	ctx, wd = newWatchdog(context.Background(), 20*time.Millisecond)
	wd.stop()
	time.Sleep(50 * time.Millisecond)
	if wd.stalled() || errors.Is(context.Cause(ctx), errStalled) {
		t.Error("fired after stop")
	}

	// The parent's cancellation is not a stall.
	parent, cancel := context.WithCancel(context.Background())
	ctx, wd = newWatchdog(parent, time.Hour)
	cancel()
	<-ctx.Done()
	if wd.stalled() {
		t.Error("stalled on the parent's cancellation")
	}
	wd.stop()
}
