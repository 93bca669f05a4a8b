package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// maxPrealloc bounds the buffer Get allocates ahead from a Content-Length.
const maxPrealloc = 64 << 20

// Get implements repo.Getter: it returns the whole body of rawURL, of at
// most max bytes. A larger body is an error naming the URL and the bound,
// not retried. A 404 or 410 is an error wrapping repo.ErrNotFound, not
// retried. Transient faults are retried up to Attempts tries in all.
func (c *Client) Get(ctx context.Context, rawURL string, max int64) ([]byte, error) {
	if max <= 0 {
		return nil, fmt.Errorf("fetch %s: size bound %d is not positive", rawURL, max)
	}
	if err := checkURL(rawURL); err != nil {
		return nil, err
	}
	s := c.settings()
	var last error
	for attempt := 1; attempt <= s.attempts; attempt++ {
		if attempt > 1 {
			s.retrying(rawURL, attempt-1, last)
			if err := sleep(ctx, s.delay(attempt-1, last)); err != nil {
				return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
			}
		}
		data, err := s.getOnce(ctx, rawURL, max)
		if err == nil {
			return data, nil
		}
		if !transient(err) {
			return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
		}
		last = err
	}
	return nil, fmt.Errorf("fetch %s: giving up after %d attempts: %w", rawURL, s.attempts, last)
}

// getOnce is one attempt of Get; its errors do not name the URL.
func (s *settings) getOnce(ctx context.Context, rawURL string, max int64) ([]byte, error) {
	actx, wd := newWatchdog(ctx, s.stall)
	defer wd.stop()
	resp, err := s.do(actx, rawURL, "", "")
	if err != nil {
		return nil, attemptError(ctx, wd, rawURL, err)
	}
	defer resp.Body.Close()
	wd.leave()
	if resp.StatusCode != http.StatusOK {
		return nil, newStatusError(resp)
	}
	if resp.ContentLength > max {
		return nil, fmt.Errorf("%w: Content-Length %d exceeds the bound of %d bytes",
			errTooLarge, resp.ContentLength, max)
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(min(resp.ContentLength, maxPrealloc)))
	}
	_, err = buf.ReadFrom(io.LimitReader(&watchedReader{r: resp.Body, wd: wd}, max+1))
	if err != nil {
		return nil, attemptError(ctx, wd, rawURL, err)
	}
	if int64(buf.Len()) > max {
		return nil, fmt.Errorf("%w: body exceeds the bound of %d bytes", errTooLarge, max)
	}
	return buf.Bytes(), nil
}

// do sends one GET for rawURL under ctx, with a Range and an If-Range
// header when they are not "".
func (s *settings) do(ctx context.Context, rawURL, rng, ifRange string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", s.agent)
	req.Header.Set("Accept-Encoding", "identity")
	if rng != "" {
		req.Header.Set("Range", rng)
		if ifRange != "" {
			req.Header.Set("If-Range", ifRange)
		}
	}
	return s.http.Do(req)
}

// checkURL refuses a URL that is not absolute http or https.
func checkURL(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("fetch %s: %w", rawURL, errors.New("not an absolute http or https URL"))
	}
	return nil
}

// watchedReader marks each of its reads as a wait for its watchdog.
type watchedReader struct {
	r  io.Reader
	wd *watchdog
}

func (w *watchedReader) Read(p []byte) (int, error) {
	w.wd.enter()
	n, err := w.r.Read(p)
	w.wd.leave()
	return n, err
}
