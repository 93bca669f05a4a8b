package fetch

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/btfhub/btfhub/repo"
)

// discard reads and drops the first b.skip bytes of a 200 response that
// follows a fault, checking that they are the bytes delivered before.
func (b *Body) discard() error {
	buf := b.buffer()
	// Each turn consumes bytes or ends; a read that returns neither
	// bytes nor an error forever is ended by the stall watchdog.
	for b.skip > 0 {
		q := buf
		if int64(len(q)) > b.skip {
			q = q[:b.skip]
		}
		b.wd.enter()
		n, err := b.resp.Body.Read(q)
		b.wd.leave()
		if n > 0 {
			b.skipHash.Write(q[:n])
			b.skip -= int64(n)
		}
		if b.skip == 0 {
			break
		}
		if err == io.EOF {
			return &shortError{got: b.delivered - b.skip, want: b.size}
		}
		if err != nil {
			return attemptError(b.ctx, b.wd, b.url, err)
		}
	}
	var got [sha256.Size]byte
	b.skipHash.Sum(got[:0])
	if got != b.hash.sum() {
		return fmt.Errorf("the file changed on the server: its first %d bytes differ from those delivered: %w",
			b.delivered, repo.ErrChecksum)
	}
	return nil
}

// reconnect starts an attempt, after cause, the error that ended the
// previous one (nil for the first), and retries transient failures with
// backoff until one gets a usable response. Its error names the URL.
func (b *Body) reconnect(cause error) error {
	maxReconnects := reconnectsPerAttempt * b.s.attempts
	// Each turn after the first counts a failure or a reconnect, which
	// are bounded.
	for {
		if cause != nil {
			if !transient(cause) {
				return fmt.Errorf("fetch %s: %w", b.url, cause)
			}
			if b.delivered > b.mark {
				b.fails = 0 // the attempt made progress
			} else {
				b.fails++
			}
			if b.fails >= b.s.attempts {
				return fmt.Errorf("fetch %s: giving up after %d attempts without progress (%d of %d bytes delivered): %w",
					b.url, b.fails, b.delivered, b.size, cause)
			}
			if b.retries >= maxReconnects {
				return fmt.Errorf("fetch %s: giving up after %d reconnects (%d of %d bytes delivered): %w",
					b.url, b.retries, b.delivered, b.size, cause)
			}
			b.s.retrying(b.url, b.tries, cause)
			if err := sleep(b.ctx, b.s.delay(b.fails, cause)); err != nil {
				return fmt.Errorf("fetch %s: %w", b.url, err)
			}
			b.retries++
		}
		b.tries++
		cause = b.connect()
		if cause == nil {
			return nil
		}
	}
}

// connect makes one attempt: it sends the request, for the rest of the
// file when bytes were delivered, and checks the response, which becomes
// the live one.
func (b *Body) connect() error {
	b.mark = b.delivered
	resuming := b.delivered > 0
	var rng, ifRange string
	if resuming && !b.noRange {
		rng = "bytes=" + strconv.FormatInt(b.delivered, 10) + "-"
		ifRange = b.validator
	}
	ctx, wd := newWatchdog(b.ctx, b.s.stall)
	resp, err := b.s.do(ctx, b.url, rng, ifRange)
	if err != nil {
		err = attemptError(b.ctx, wd, b.url, err)
		wd.stop()
		return err
	}
	wd.leave()
	if err := b.accept(resp, rng != ""); err != nil {
		resp.Body.Close()
		wd.stop()
		return err
	}
	b.resp, b.wd = resp, wd
	return nil
}

// accept checks a response and prepares its reading; ranged tells
// whether a range was asked for.
func (b *Body) accept(resp *http.Response, ranged bool) error {
	switch {
	case resp.StatusCode == http.StatusOK:
		if resp.ContentLength >= 0 && resp.ContentLength != b.size {
			return fmt.Errorf("server gives Content-Length %d, the metadata a size of %d: %w",
				resp.ContentLength, b.size, repo.ErrChecksum)
		}
		if b.delivered == 0 {
			b.validator = validator(resp.Header)
		}
		b.skip = b.delivered
		if b.skip > 0 {
			if b.skipHash == nil {
				b.skipHash = sha256.New()
			}
			b.skipHash.Reset()
		}
		return nil
	case resp.StatusCode == http.StatusPartialContent && ranged:
		cr := resp.Header.Get("Content-Range")
		first, last, complete, err := parseContentRange(cr)
		if err != nil || first != b.delivered || complete != b.size ||
			resp.ContentLength >= 0 && resp.ContentLength != last-first+1 {
			b.noRange = true
			return &badRangeError{header: cr, from: b.delivered}
		}
		b.skip = 0
		return nil
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && ranged:
		return fmt.Errorf("server has no bytes from byte %d on (HTTP 416), the metadata gives a size of %d: %w",
			b.delivered, b.size, repo.ErrChecksum)
	}
	return newStatusError(resp)
}

// validator returns the If-Range value a response allows: its strong
// ETag, else its Last-Modified, else "".
func validator(h http.Header) string {
	if etag := h.Get("ETag"); etag != "" && !strings.HasPrefix(etag, "W/") {
		return etag
	}
	return h.Get("Last-Modified")
}
