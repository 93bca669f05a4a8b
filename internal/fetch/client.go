package fetch

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Defaults of the Client fields left zero.
const (
	// DefaultAttempts is the number of tries per request.
	DefaultAttempts = 5
	// DefaultBackoff is the delay before the second try.
	DefaultBackoff = time.Second
	// MaxBackoff caps the delay between two tries.
	MaxBackoff = 30 * time.Second
	// DefaultStallTimeout is how long an attempt may go without receiving
	// a byte.
	DefaultStallTimeout = 60 * time.Second
	// DefaultUserAgent is the User-Agent header sent.
	DefaultUserAgent = "btfhub"
	// MaxRedirects is the number of redirects the default HTTP client
	// follows.
	MaxRedirects = 10
	// maxRetryAfter is the longest Retry-After honoured; a longer one
	// falls back to the backoff.
	maxRetryAfter = 60 * time.Second
)

// Client fetches repository metadata and packages over HTTP(S), with
// bounded retries, backoff, stall detection and resumption. The zero
// value is ready to use. A Client may be used by several goroutines at
// once, provided its fields are not changed meanwhile.
type Client struct {
	// HTTP is the client requests go through; nil means a shared client
	// from NewHTTPClient. A client given here should stop redirect loops
	// in its CheckRedirect, as NewHTTPClient's does.
	HTTP *http.Client
	// Attempts is the number of tries per request, the first included;
	// 0 means DefaultAttempts. For Open it bounds the consecutive tries
	// that deliver no new byte (see Open).
	Attempts int
	// Backoff is the delay before the second try; it doubles before each
	// further try, up to MaxBackoff. 0 means DefaultBackoff. There is no
	// jitter. A 429 or 503 response's Retry-After, in seconds and of at
	// most 60 s, replaces it.
	Backoff time.Duration
	// StallTimeout fails an attempt, which is then retried, when one wait
	// for the network, for the response headers or for body bytes the
	// reader asked for, lasts this long; the time the reader spends
	// between reads does not count. 0 means DefaultStallTimeout.
	StallTimeout time.Duration
	// UserAgent is the User-Agent header; "" means DefaultUserAgent.
	UserAgent string
	// OnRetry, when not nil, is called before each retry, from the
	// goroutine of the request, with the URL, the number of the attempt
	// that failed (counting from 1; for Open, over the whole download)
	// and its error; it is meant for logging.
	OnRetry func(url string, attempt int, err error)
}

// settings are a Client's fields with the defaults filled in.
type settings struct {
	http     *http.Client
	attempts int
	backoff  time.Duration
	stall    time.Duration
	agent    string
	onRetry  func(url string, attempt int, err error)
}

// sharedHTTP is the HTTP client of Clients that name none, shared so that
// they share idle connections.
var sharedHTTP = sync.OnceValue(NewHTTPClient)

func (c *Client) settings() *settings {
	s := &settings{
		http:     c.HTTP,
		attempts: c.Attempts,
		backoff:  c.Backoff,
		stall:    c.StallTimeout,
		agent:    c.UserAgent,
		onRetry:  c.OnRetry,
	}
	if s.http == nil {
		s.http = sharedHTTP()
	}
	if s.attempts <= 0 {
		s.attempts = DefaultAttempts
	}
	if s.backoff <= 0 {
		s.backoff = DefaultBackoff
	}
	if s.stall <= 0 {
		s.stall = DefaultStallTimeout
	}
	if s.agent == "" {
		s.agent = DefaultUserAgent
	}
	return s
}

// NewHTTPClient returns the HTTP client a Client uses when it names none:
// connections and TLS handshakes time out after 30 s, response headers
// after 60 s; there is no overall timeout, since a package takes minutes;
// the proxy comes from the environment; bodies are not decompressed; up
// to 16 idle connections per host are kept; and redirects are checked by
// CheckRedirect. It speaks HTTP/1.1, whose throughput on a single large
// download is not limited by stream flow control.
func NewHTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   30 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   16,
		DisableCompression:    true,
		ReadBufferSize:        64 << 10,
		WriteBufferSize:       16 << 10,
	}
	return &http.Client{Transport: transport, CheckRedirect: CheckRedirect}
}
