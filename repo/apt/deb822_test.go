package apt

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/repo"
)

// readAll reads every paragraph of text, each as "Name=value|..." lines.
func readAll(text string, lim limits) ([]string, error) {
	pr := newParagraphReader(strings.NewReader(text), "test", lim)
	var out []string
	for {
		p, err := pr.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		var parts []string
		for _, f := range p.fields {
			parts = append(parts, fmt.Sprintf("%s@%d=%q", f.name, f.line, f.value))
		}
		out = append(out, strings.Join(parts, " "))
	}
}

func TestParagraphReader(t *testing.T) {
	small := limits{line: 40, fields: 3, paragraph: 100}
	tests := []struct {
		name, text string
		lim        limits
		want       []string
		err        string // "" for none
	}{
		{name: "empty", text: "", want: nil},
		{name: "blank lines only", text: "\n \n\t\n", want: nil},
		{name: "one", text: "A: 1\nB:2\n", want: []string{`A@1="1" B@2="2"`}},
		{name: "no final newline", text: "A: 1", want: []string{`A@1="1"`}},
		{name: "crlf", text: "A: 1\r\n\r\nB: 2\r\n", want: []string{`A@1="1"`, `B@3="2"`}},
		{name: "two with blanks", text: "\n\nA: 1\n \t \nB: 2\n\n\n", want: []string{`A@3="1"`, `B@5="2"`}},
		{name: "continuation", text: "SHA256:\n abc 1 x\n\tdef 2 y\nC: z\n", want: []string{`SHA256@1="\nabc 1 x\ndef 2 y" C@4="z"`}},
		{name: "dot line kept", text: "D: short\n long\n .\n more\n", want: []string{`D@1="short\nlong\n.\nmore"`}},
		{name: "comments", text: "# head\nA: 1\n# inside\n more\n#\nB: 2\n", want: []string{`A@2="1\nmore" B@6="2"`}},
		{name: "value with colon", text: "URIs: http://x:80/a\n", want: []string{`URIs@1="http://x:80/a"`}},
		{name: "trailing blanks", text: "A:  1 \t\n", want: []string{`A@1="1"`}},
		{name: "continuation first", text: " A: 1\n", err: "line 1: continuation line outside a field"},
		{name: "no colon", text: "A: 1\nB\n", err: "line 2: not a field"},
		{name: "empty name", text: ": 1\n", err: "line 1: not a field"},
		{name: "bad name", text: "A B: 1\n", err: "line 1: bad field name"},
		{name: "duplicate", text: "A: 1\na: 2\n", err: "line 2: field \"a\" given twice"},
		{name: "long line", text: "A: " + strings.Repeat("x", 40) + "\n", lim: small, err: "line 1: line longer than 40 bytes"},
		{name: "long last line", text: "A: 1\nB: " + strings.Repeat("x", 40), lim: small, err: "line 2: line longer than 40 bytes"},
		{name: "many fields", text: "A: 1\nB: 2\nC: 3\nD: 4\n", lim: small, err: "line 4: paragraph has more than 3 fields"},
		{name: "big paragraph", text: "A: 1\n" + strings.Repeat(" "+strings.Repeat("y", 30)+"\n", 4), lim: small, err: "paragraph larger than 100 bytes"},
		{name: "fields per paragraph", text: "A: 1\nB: 2\nC: 3\n\nA: 1\nB: 2\nC: 3\n", lim: small, want: []string{`A@1="1" B@2="2" C@3="3"`, `A@5="1" B@6="2" C@7="3"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lim := tc.lim
			if lim.line == 0 {
				lim = packagesLimits
			}
			got, err := readAll(tc.text, lim)
			if tc.err != "" {
				if !errors.Is(err, repo.ErrMetadata) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want ErrMetadata with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestParagraphReaderKeep(t *testing.T) {
	pr := newParagraphReader(strings.NewReader("Package: a\nDepends: b,\n c\nDepends: again\nSize: 3\n"), "test", packagesLimits)
	pr.keep = keepPackageField
	p, err := pr.next()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.fields) != 2 || p.get("package") != "a" || p.get("SIZE") != "3" || p.get("Depends") != "" {
		t.Errorf("fields: %+v", p.fields)
	}
}

// errReader fails after its text.
type errReader struct{ r io.Reader }

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		err = errors.New("connection reset")
	}
	return n, err
}

func TestParagraphReaderReadError(t *testing.T) {
	pr := newParagraphReader(&errReader{strings.NewReader("A: 1\nB: 2")}, "idx", packagesLimits)
	if _, err := pr.next(); err == nil || !strings.Contains(err.Error(), "idx: after line 1: connection reset") {
		t.Fatalf("err = %v", err)
	}
	if _, err := pr.next(); err == nil {
		t.Fatal("no sticky error")
	}
}
