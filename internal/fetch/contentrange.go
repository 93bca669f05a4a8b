package fetch

import (
	"errors"
	"strconv"
	"strings"
)

// maxDigits bounds the digits of a Content-Range number; 18 digits always
// fit an int64.
const maxDigits = 18

// errContentRange is the error of parseContentRange.
var errContentRange = errors.New("malformed Content-Range")

// parseContentRange reads the Content-Range of a single-part 206
// response, "bytes first-last/complete", strictly: the unit is "bytes",
// there is no space but the one after it, the numbers are decimal digits
// only (at most 18 each), the complete length is known (not "*"), and
// first <= last < complete.
func parseContentRange(v string) (first, last, complete int64, err error) {
	rest, ok := strings.CutPrefix(v, "bytes ")
	if !ok {
		return 0, 0, 0, errContentRange
	}
	span, size, ok := strings.Cut(rest, "/")
	if !ok {
		return 0, 0, 0, errContentRange
	}
	a, b, ok := strings.Cut(span, "-")
	if !ok {
		return 0, 0, 0, errContentRange
	}
	if first, ok = parseDigits(a); !ok {
		return 0, 0, 0, errContentRange
	}
	if last, ok = parseDigits(b); !ok {
		return 0, 0, 0, errContentRange
	}
	if complete, ok = parseDigits(size); !ok {
		return 0, 0, 0, errContentRange
	}
	if first > last || last >= complete {
		return 0, 0, 0, errContentRange
	}
	return first, last, complete, nil
}

// parseDigits reads a non-empty string of at most maxDigits decimal
// digits.
func parseDigits(s string) (int64, bool) {
	if s == "" || len(s) > maxDigits {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
