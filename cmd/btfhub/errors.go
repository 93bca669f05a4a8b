package main

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Bounds on the one line an error is printed as.
const (
	maxErrorParts = 5    // lines of a multi-line error kept
	maxErrorBytes = 2000 // bytes of the line kept
)

// oneLine returns err's message as one line: the lines of a multi-line
// error (errors.Join's, say) are joined with "; ", at most maxErrorParts
// of them followed by "and K more"; other control characters, which names
// read from hostile input may hold, are escaped as \xNN (line and
// paragraph separators as \uNNNN); and the result is cut at
// maxErrorBytes.
func oneLine(err error) string {
	var parts []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	if len(parts) > maxErrorParts {
		more := len(parts) - maxErrorParts
		parts = append(parts[:maxErrorParts], fmt.Sprintf("and %d more", more))
	}
	var b strings.Builder
	joined := strings.Join(parts, "; ")
	for i := 0; i < len(joined); {
		r, size := utf8.DecodeRuneInString(joined[i:])
		switch {
		case r == '\t':
			b.WriteByte(' ')
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, "\\x%02x", joined[i])
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&b, "\\x%02x", r)
		case r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteString(joined[i : i+size])
		}
		i += size
	}
	s := b.String()
	if len(s) > maxErrorBytes {
		cut := maxErrorBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}
