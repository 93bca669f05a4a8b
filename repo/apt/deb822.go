package apt

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/btfhub/btfhub/repo"
)

// field is one field of a deb822 paragraph.
type field struct {
	// name is the field's name as written.
	name string
	// value is the field's value: its first line and its continuation
	// lines, each without leading and trailing blanks, joined by "\n".
	// A multi-line field whose first line is empty (SHA256:) starts with
	// "\n".
	value string
	// line is the line the field starts on, from 1.
	line int
}

// paragraph is one deb822 paragraph (a stanza): the fields between blank
// lines, in order.
type paragraph struct {
	fields []field
	// line is the line the paragraph starts on, from 1.
	line int
}

// lookup returns the field called name, compared without regard to case,
// as deb822 field names are.
func (p *paragraph) lookup(name string) (field, bool) {
	for _, f := range p.fields {
		if strings.EqualFold(f.name, name) {
			return f, true
		}
	}
	return field{}, false
}

// get returns the value of the field called name, or "".
func (p *paragraph) get(name string) string {
	f, _ := p.lookup(name)
	return f.value
}

// paragraphReader reads the paragraphs of a deb822 file (a Release file,
// a Packages index, a .sources file) one at a time, within its limits.
// Lines that start with '#' are comments; lines that start with a blank
// continue the field before; blank lines end a paragraph.
type paragraphReader struct {
	r    *bufio.Reader
	name string // the file or URL, for messages
	lim  limits
	// keep, when not nil, tells which fields to keep; the others are
	// checked and counted but not stored.
	keep func(name string) bool
	line int // lines read so far
	err  error
}

// newParagraphReader reads the paragraphs of r, which messages call name.
func newParagraphReader(r io.Reader, name string, lim limits) *paragraphReader {
	return &paragraphReader{r: bufio.NewReaderSize(r, 4<<10), name: name, lim: lim}
}

// errorf makes an error about the current line that wraps repo.ErrMetadata.
func (pr *paragraphReader) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s: line %d: %s", repo.ErrMetadata, pr.name, pr.line, fmt.Sprintf(format, args...))
}

// readLine reads the next line, without its line end ("\n" or "\r\n").
// The line is valid until the next call. At the end of the input it
// returns io.EOF.
func (pr *paragraphReader) readLine(buf []byte) ([]byte, error) {
	buf = buf[:0]
	for {
		chunk, err := pr.r.ReadSlice('\n')
		if len(buf)+len(chunk) > pr.lim.line+2 { // +2 for "\r\n"
			pr.line++
			return nil, pr.errorf("line longer than %d bytes", pr.lim.line)
		}
		buf = append(buf, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(buf) > 0 {
			err = nil
		}
		if err != nil {
			if err != io.EOF {
				err = fmt.Errorf("%s: after line %d: %w", pr.name, pr.line, err)
			}
			return nil, err
		}
		pr.line++
		buf = bytes.TrimSuffix(buf, []byte("\n"))
		buf = bytes.TrimSuffix(buf, []byte("\r"))
		if len(buf) > pr.lim.line {
			return nil, pr.errorf("line longer than %d bytes", pr.lim.line)
		}
		return buf, nil
	}
}

// next returns the next paragraph, or io.EOF after the last one.
func (pr *paragraphReader) next() (*paragraph, error) {
	if pr.err != nil {
		return nil, pr.err
	}
	p, err := pr.read()
	if err != nil {
		pr.err = err
	}
	return p, err
}

// isBlank tells whether line holds nothing but spaces and tabs.
func isBlank(line []byte) bool {
	return len(bytes.Trim(line, " \t")) == 0
}

// read reads the next paragraph.
func (pr *paragraphReader) read() (*paragraph, error) {
	var p *paragraph
	var value strings.Builder
	size, count := 0, 0
	kept := false // whether the current field is kept
	flush := func() {
		if kept {
			p.fields[len(p.fields)-1].value = value.String()
		}
		value.Reset()
	}
	line := make([]byte, 0, 256)
	for {
		var err error
		line, err = pr.readLine(line)
		if errors.Is(err, io.EOF) {
			if p == nil {
				return nil, io.EOF
			}
			flush()
			return p, nil
		}
		if err != nil {
			return nil, err
		}
		switch {
		case len(line) > 0 && line[0] == '#':
			continue
		case isBlank(line):
			if p != nil {
				flush()
				return p, nil
			}
			continue
		}
		size += len(line) + 1
		if size > pr.lim.paragraph {
			return nil, pr.errorf("paragraph larger than %d bytes", pr.lim.paragraph)
		}
		if line[0] == ' ' || line[0] == '\t' {
			if p == nil {
				return nil, pr.errorf("continuation line outside a field")
			}
			if kept {
				value.WriteByte('\n')
				value.Write(bytes.Trim(line, " \t"))
			}
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return nil, pr.errorf("not a field (no \"Name:\"): %.40q", line)
		}
		name := line[:colon]
		if i := bytes.IndexFunc(name, func(r rune) bool { return r <= ' ' || r > '~' }); i >= 0 {
			return nil, pr.errorf("bad field name %.40q", name)
		}
		if p == nil {
			p = &paragraph{line: pr.line}
		} else {
			flush()
		}
		if count++; count > pr.lim.fields {
			return nil, pr.errorf("paragraph has more than %d fields", pr.lim.fields)
		}
		kept = pr.keep == nil || pr.keep(string(name))
		if !kept {
			continue
		}
		if _, dup := p.lookup(string(name)); dup {
			return nil, pr.errorf("field %q given twice", name)
		}
		p.fields = append(p.fields, field{name: string(name), line: pr.line})
		value.Write(bytes.Trim(line[colon+1:], " \t"))
	}
}
