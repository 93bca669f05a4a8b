package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net/http"
	"strings"

	"github.com/btfhub/btfhub/repo"
)

// bufSize is the size of the buffer a Body reads through when it
// discards bytes already delivered.
const bufSize = 256 << 10

// reconnectsPerAttempt bounds a Body's reconnects to this many times
// Attempts, so that a server that cuts every response after a few bytes
// still ends the download.
const reconnectsPerAttempt = 4

// OpenOptions describe the file Open streams.
type OpenOptions struct {
	// Size is the file's size as the metadata gives it; required (> 0).
	Size int64
	// SHA256 is the file's SHA-256 in lower-case hex; required.
	SHA256 string
	// Progress, when not nil, is called with the count of new bytes
	// delivered to the reader, from the goroutine that reads.
	Progress func(n int64)
}

// Body streams one file for Open. It is an io.ReadCloser and an
// io.WriterTo, for use by one goroutine.
type Body struct {
	s        *settings
	ctx      context.Context
	url      string
	size     int64
	want     [sha256.Size]byte
	progress func(int64)

	hash      *hasher // over the delivered bytes
	delivered int64
	validator string // If-Range value from the first response
	noRange   bool   // the server answered a range badly: restart instead

	resp     *http.Response // the live attempt's, or nil
	wd       *watchdog      // the live attempt's
	skip     int64          // bytes of resp to discard before delivering
	skipHash hash.Hash      // over the discarded bytes
	cause    error          // the transient error that ended the last attempt

	tries   int   // attempts made
	fails   int   // consecutive attempts that failed without delivering
	mark    int64 // delivered when the live attempt started
	retries int   // reconnects
	buf     []byte
	err     error // sticky: io.EOF or the final error
	closed  bool
}

// Open starts streaming rawURL and returns once a response has begun (or
// failed for good). The Body delivers exactly the file's bytes in order,
// resuming transparently after transient faults, and at the end checks
// size and checksum: a mismatch is an error wrapping repo.ErrChecksum in
// place of io.EOF, as is more data than Size, and a first response whose
// Content-Length is not Size.
//
// After a fault, the Body reconnects asking for the rest with Range and
// If-Range (the first response's strong ETag, else its Last-Modified). A
// 206 must have a Content-Range that starts where the Body stopped and
// gives the right complete length, or the Body starts again without a
// range. On a 200 it discards the bytes already delivered, checking that
// they are the ones delivered before. Attempts bounds the consecutive
// attempts that deliver no new byte; reconnects are bounded in all to
// 4*Attempts.
//
// The Body hashes in a goroutine of its own, which ends with the download:
// at its end, at an error, or at Close. The caller must Close the Body.
func (c *Client) Open(ctx context.Context, rawURL string, opt *OpenOptions) (*Body, error) {
	if err := checkURL(rawURL); err != nil {
		return nil, err
	}
	if opt == nil || opt.Size <= 0 {
		return nil, fmt.Errorf("fetch %s: the file's size must be given and positive", rawURL)
	}
	b := &Body{
		s:        c.settings(),
		ctx:      ctx,
		url:      rawURL,
		size:     opt.Size,
		progress: opt.Progress,
	}
	if len(opt.SHA256) != 2*sha256.Size || strings.ToLower(opt.SHA256) != opt.SHA256 {
		return nil, fmt.Errorf("fetch %s: SHA-256 %q is not %d lower-case hex digits", rawURL, opt.SHA256, 2*sha256.Size)
	}
	if _, err := hex.Decode(b.want[:], []byte(opt.SHA256)); err != nil {
		return nil, fmt.Errorf("fetch %s: SHA-256 %q: %w", rawURL, opt.SHA256, err)
	}
	b.hash = newHasher()
	if err := b.reconnect(nil); err != nil {
		b.hash.stop()
		return nil, err
	}
	return b, nil
}

// Retries returns how many times the Body reconnected.
func (b *Body) Retries() int { return b.retries }

// Close ends the download and releases its connection. Reads after Close
// fail. Close always returns nil.
func (b *Body) Close() error {
	b.drop()
	b.hash.stop()
	b.closed = true
	return nil
}

// Read reads the next bytes of the file. It returns io.EOF at the end of
// a file whose size and checksum are right, and otherwise an error that
// names the URL; errors are sticky.
func (b *Body) Read(p []byte) (int, error) { return b.read(p, false) }

// WriteTo writes the rest of the file to w and returns the count written;
// it returns a nil error when the whole file was delivered and checked.
// It reads in 1 MiB chunks straight into the hashing buffers, saving the
// copy Read makes.
func (b *Body) WriteTo(w io.Writer) (int64, error) {
	var total int64
	// Each turn delivers bytes or ends with an error, or a read that
	// returned neither, which a stall ends.
	for {
		var p []byte
		if !b.closed && b.err == nil {
			p = b.hash.space()
		}
		n, err := b.read(p, true)
		if n > 0 {
			m, werr := w.Write(p[:n])
			total += int64(m)
			if werr == nil && m != n {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return total, werr
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// read is Read; inPlace says that p is the hasher's space, to be
// committed rather than copied.
func (b *Body) read(p []byte, inPlace bool) (int, error) {
	if b.closed {
		return 0, fmt.Errorf("fetch %s: read after close: %w", b.url, fs.ErrClosed)
	}
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	// Each turn either returns or ends an attempt, and reconnect bounds
	// the attempts.
	for b.err == nil {
		if b.resp == nil {
			if err := b.reconnect(b.cause); err != nil {
				b.finish(err)
				break
			}
			b.cause = nil
		}
		if b.skip > 0 {
			if err := b.discard(); err != nil {
				b.end(err)
				continue
			}
		}
		n, err := b.readAttempt(p, inPlace)
		if err != nil {
			b.end(err)
		}
		if n > 0 || err == nil {
			return n, nil
		}
	}
	return 0, b.err
}

// readAttempt reads from the live response into p and delivers what it
// got. A nil error with 0 bytes is possible; an error ends the attempt.
func (b *Body) readAttempt(p []byte, inPlace bool) (int, error) {
	rest := b.size - b.delivered
	if int64(len(p)) > rest+1 {
		p = p[:rest+1] // one more byte shows a body too long
	}
	b.wd.enter()
	n, err := b.resp.Body.Read(p)
	b.wd.leave()
	if n > 0 {
		if int64(n) > rest {
			return 0, fmt.Errorf("server sends more than the %d bytes expected: %w", b.size, repo.ErrChecksum)
		}
		if inPlace {
			b.hash.commit(n)
		} else {
			b.hash.Write(p[:n])
		}
		b.delivered += int64(n)
		if b.progress != nil {
			b.progress(int64(n))
		}
	}
	if err == io.EOF {
		if b.delivered < b.size {
			return n, &shortError{got: b.delivered, want: b.size}
		}
		return n, io.EOF
	}
	if err != nil {
		return n, attemptError(b.ctx, b.wd, b.url, err)
	}
	return n, nil
}

// end ends the live attempt with err: io.EOF, which checks the file; a
// transient error, which the next Read repairs; or a permanent one, which
// becomes the Body's.
func (b *Body) end(err error) {
	b.drop()
	switch {
	case err == io.EOF:
		b.finish(b.verify())
	case transient(err):
		b.cause = err
	default:
		b.finish(fmt.Errorf("fetch %s: %w", b.url, err))
	}
}

// finish makes err, io.EOF or an error naming the URL, the Body's
// outcome, and stops the hashing.
func (b *Body) finish(err error) {
	b.err = err
	b.hash.stop()
}

// verify checks the checksum of a complete file, and returns io.EOF when
// it is right.
func (b *Body) verify() error {
	if got := b.hash.sum(); got != b.want {
		return fmt.Errorf("fetch %s: sha256 %x, want %x: %w", b.url, got, b.want, repo.ErrChecksum)
	}
	return io.EOF
}

// drop releases the live attempt, if any.
func (b *Body) drop() {
	if b.resp != nil {
		b.resp.Body.Close()
		b.resp = nil
	}
	if b.wd != nil {
		b.wd.stop()
		b.wd = nil
	}
}

// buffer returns the Body's 1 MiB buffer, allocated at first use.
func (b *Body) buffer() []byte {
	if b.buf == nil {
		b.buf = make([]byte, bufSize)
	}
	return b.buf
}
