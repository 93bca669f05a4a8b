package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/btfhub/btfhub/repo"
)

// StatusError is the error for an HTTP response whose status is not the
// one the request needs. It wraps repo.ErrNotFound for 404 and 410.
type StatusError struct {
	// Code is the HTTP status code.
	Code int
	// Status is the status line's code and text, "503 Service
	// Unavailable".
	Status string
	// retryAfter is the delay the response's Retry-After asks for, when
	// hasRetryAfter.
	retryAfter    time.Duration
	hasRetryAfter bool
}

// newStatusError describes resp, whose body the caller closes.
func newStatusError(resp *http.Response) *StatusError {
	e := &StatusError{Code: resp.StatusCode, Status: resp.Status}
	if e.Status == "" {
		e.Status = strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.retryAfter, e.hasRetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"))
	}
	return e
}

// Error returns "HTTP " and the status.
func (e *StatusError) Error() string { return "HTTP " + e.Status }

// Unwrap returns repo.ErrNotFound for 404 and 410, else nil.
func (e *StatusError) Unwrap() error {
	if e.Code == http.StatusNotFound || e.Code == http.StatusGone {
		return repo.ErrNotFound
	}
	return nil
}

// transient tells whether the status is worth retrying: 5xx, 408, 429.
func (e *StatusError) transient() bool {
	return e.Code >= 500 && e.Code <= 599 ||
		e.Code == http.StatusRequestTimeout || e.Code == http.StatusTooManyRequests
}

// parseRetryAfter reads a Retry-After given in seconds, of at most
// maxRetryAfter; other forms (an HTTP date) and longer delays are not
// honoured.
func parseRetryAfter(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > 3 || strings.Trim(v, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false
	}
	d := time.Duration(n) * time.Second
	if d > maxRetryAfter {
		return 0, false
	}
	return d, true
}

// errStalled is wrapped by the error of an attempt the stall timeout
// ended.
var errStalled = errors.New("stalled")

// errTooLarge is wrapped by the error of a Get whose body exceeds its
// bound.
var errTooLarge = errors.New("response too large")

// shortError is a body that ended, without a connection error, before
// the size expected. It is transient, since a close-delimited body cut by
// the network looks the same, and wraps repo.ErrChecksum, since when it
// persists the server's file is not the one the metadata describes.
type shortError struct{ got, want int64 }

func (e *shortError) Error() string {
	return fmt.Sprintf("body ended after %d of %d bytes: %v", e.got, e.want, repo.ErrChecksum)
}

func (e *shortError) Unwrap() error { return repo.ErrChecksum }

// badRangeError is a 206 response whose Content-Range is not the one
// asked for; the download restarts without a range.
type badRangeError struct {
	header string
	from   int64
}

func (e *badRangeError) Error() string {
	return fmt.Sprintf("HTTP 206 with Content-Range %q for a range from byte %d", e.header, e.from)
}

// attemptError maps err, which ended an attempt running under a context
// derived from parent and watched by wd, to the caller's cancellation
// (permanent), a stall (transient) or err itself, without the *url.Error
// layer that repeats the URL.
func attemptError(parent context.Context, wd *watchdog, rawURL string, err error) error {
	if cerr := parent.Err(); cerr != nil {
		return cerr
	}
	if wd != nil && wd.stalled() {
		return fmt.Errorf("%w: no data received for %v", errStalled, wd.timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		if ue.URL == rawURL {
			return ue.Err
		}
		return fmt.Errorf("at %s: %w", ue.URL, ue.Err)
	}
	return err
}

// transient tells whether err, as attemptError returns it, is worth
// retrying: connection errors, stalls, timeouts and some statuses are;
// the caller's cancellation, refused redirects, certificate errors,
// missing files and wrong sizes or checksums are not.
func transient(err error) bool {
	var status *StatusError
	var short *shortError
	var badRange *badRangeError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &status):
		return status.transient()
	case errors.As(err, &short), errors.As(err, &badRange), errors.Is(err, errStalled):
		return true
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, errRedirect), errors.Is(err, errTooLarge),
		errors.Is(err, repo.ErrChecksum), errors.Is(err, repo.ErrNotFound),
		errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid),
		errors.As(err, &verify):
		return false
	}
	return true
}
