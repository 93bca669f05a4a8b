package apt

import (
	"fmt"
	"io"
	"strings"

	"github.com/btfhub/btfhub/repo"
)

// parseDeb822Sources reads a deb822 .sources file: one entry a
// paragraph, with the fields Types, URIs, Suites, Components,
// Architectures, Signed-By and Enabled (others are ignored).
func parseDeb822Sources(r io.Reader, name string) ([]Source, error) {
	pr := newParagraphReader(r, name, sourcesLimits)
	var out []Source
	for {
		p, err := pr.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(out) >= MaxSourceEntries {
			return nil, pr.errorf("more than %d entries", MaxSourceEntries)
		}
		s, err := deb822Source(p, name)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
}

// deb822Source reads one paragraph of a .sources file.
func deb822Source(p *paragraph, name string) (Source, error) {
	s := Source{
		Types:      strings.Fields(p.get("Types")),
		URIs:       strings.Fields(p.get("URIs")),
		Suites:     strings.Fields(p.get("Suites")),
		Components: strings.Fields(p.get("Components")),
		Archs:      strings.Fields(p.get("Architectures")),
		Enabled:    true,
		File:       name,
		Line:       p.line,
	}
	bad := func(format string, args ...any) (Source, error) {
		return Source{}, fmt.Errorf("%w: %s: line %d: %s", repo.ErrMetadata, name, p.line, fmt.Sprintf(format, args...))
	}
	switch e := strings.ToLower(p.get("Enabled")); e {
	case "", "yes":
	case "no":
		s.Enabled = false
	default:
		return bad("Enabled %q is neither yes nor no", e)
	}
	signed := p.get("Signed-By")
	if strings.HasPrefix(strings.TrimSpace(signed), "-----BEGIN PGP PUBLIC KEY BLOCK-----") {
		// An inline key: an empty line of the block is written ".".
		lines := strings.Split(strings.TrimSpace(signed), "\n")
		for i, l := range lines {
			if l == "." {
				lines[i] = ""
			}
		}
		s.SignedByKey = []byte(strings.Join(lines, "\n") + "\n")
	} else {
		s.SignedBy = splitList(signed)
	}
	if err := checkSource(&s); err != nil {
		return bad("%v", err)
	}
	return s, nil
}

// splitList splits a list of words separated by blanks or commas.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// checkSource checks that an entry has what APT needs: known types, at
// least one URI and suite, and components unless its suites are flat
// ("path/").
func checkSource(s *Source) error {
	if len(s.Types) == 0 {
		return fmt.Errorf("no types")
	}
	for _, t := range s.Types {
		if t != "deb" && t != "deb-src" {
			return fmt.Errorf("type %.40q is neither deb nor deb-src", t)
		}
	}
	if len(s.URIs) == 0 {
		return fmt.Errorf("no URIs")
	}
	if len(s.Suites) == 0 {
		return fmt.Errorf("no suites")
	}
	flat := true
	for _, suite := range s.Suites {
		flat = flat && strings.HasSuffix(suite, "/")
	}
	if len(s.Components) == 0 && !flat {
		return fmt.Errorf("no components")
	}
	return nil
}

// parseOneLineSources reads a one-line sources.list file:
//
//	deb [ option=value ... ] uri suite [component ...]
//
// where '#' starts a comment. The options read are arch= and
// signed-by= (comma-separated lists); others are ignored.
func parseOneLineSources(r io.Reader, name string) ([]Source, error) {
	pr := newParagraphReader(r, name, sourcesLimits)
	var out []Source
	buf := make([]byte, 0, 256)
	for {
		line, err := pr.readLine(buf)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		buf = line
		text := stripComment(string(line))
		if strings.TrimSpace(text) == "" {
			continue
		}
		if len(out) >= MaxSourceEntries {
			return nil, pr.errorf("more than %d entries", MaxSourceEntries)
		}
		s, err := oneLineSource(text)
		if err != nil {
			return nil, pr.errorf("%v", err)
		}
		s.File, s.Line = name, pr.line
		out = append(out, s)
	}
}

// stripComment cuts line at a '#' that starts it or follows a blank.
func stripComment(line string) string {
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			return line[:i]
		}
	}
	return line
}

// oneLineSource reads one line of a sources.list file, without comment.
func oneLineSource(text string) (Source, error) {
	s := Source{Enabled: true}
	typ, rest := strings.TrimLeft(text, " \t"), ""
	if i := strings.IndexAny(typ, " \t"); i >= 0 {
		typ, rest = typ[:i], strings.TrimLeft(typ[i:], " \t")
	}
	s.Types = []string{typ}
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return Source{}, fmt.Errorf("options \"[\" without \"]\"")
		}
		for _, opt := range strings.Fields(rest[1:end]) {
			key, value, ok := strings.Cut(opt, "=")
			if !ok {
				return Source{}, fmt.Errorf("option %.40q is not key=value", opt)
			}
			switch key {
			case "arch":
				s.Archs = splitList(value)
			case "signed-by":
				s.SignedBy = splitList(value)
			}
		}
		rest = rest[end+1:]
	}
	words := strings.Fields(rest)
	if len(words) > 0 {
		s.URIs = words[:1]
	}
	if len(words) > 1 {
		s.Suites = words[1:2]
	}
	if len(words) > 2 {
		s.Components = words[2:]
	}
	if err := checkSource(&s); err != nil {
		return Source{}, err
	}
	return s, nil
}
