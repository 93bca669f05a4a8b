package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// errRedirect is wrapped by the errors of CheckRedirect.
var errRedirect = errors.New("redirect refused")

// CheckRedirect is the redirect policy of NewHTTPClient's client, for use
// as an http.Client's CheckRedirect: it refuses a redirect to a scheme
// other than http and https, more than MaxRedirects redirects, and a
// redirect to a URL already seen in the chain (a loop). Its errors name
// the chain.
func CheckRedirect(req *http.Request, via []*http.Request) error {
	if s := req.URL.Scheme; s != "http" && s != "https" {
		return fmt.Errorf("%w: to scheme %q: %s", errRedirect, s, chain(req, via))
	}
	if len(via) > MaxRedirects {
		return fmt.Errorf("%w: more than %d redirects: %s", errRedirect, MaxRedirects, chain(req, via))
	}
	next := req.URL.String()
	for _, r := range via {
		if r.URL.String() == next {
			return fmt.Errorf("%w: redirect loop: %s", errRedirect, chain(req, via))
		}
	}
	return nil
}

// chain lists the URLs of a redirect chain, the next one last.
func chain(req *http.Request, via []*http.Request) string {
	var b strings.Builder
	for _, r := range via {
		b.WriteString(r.URL.String())
		b.WriteString(" -> ")
	}
	b.WriteString(req.URL.String())
	return b.String()
}
