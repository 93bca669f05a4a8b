package diff

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteText writes the report for people to read, in the style of a
// unified diff: a summary line, then one line per added (+) or removed (-)
// type, then each changed (~) type with its changed members and values
// indented below it. Offsets are in bytes, with the bit after a colon for
// bitfields ("12:3"). nameA and nameB label the two sides.
func WriteText(w io.Writer, r *Report, nameA, nameB string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "--- %s\n+++ %s\n", nameA, nameB)
	fmt.Fprintf(bw, "%d added, %d removed, %d changed\n", len(r.Added), len(r.Removed), len(r.Changed))
	if len(r.Added)+len(r.Removed) > 0 {
		bw.WriteString("\n")
	}
	for _, t := range r.Removed {
		fmt.Fprintf(bw, "- %s%s\n", typeLabel(t.Kind, t.Name), sizeNote(t.Size))
	}
	for _, t := range r.Added {
		fmt.Fprintf(bw, "+ %s%s\n", typeLabel(t.Kind, t.Name), sizeNote(t.Size))
	}
	for _, c := range r.Changed {
		bw.WriteString("\n~ ")
		bw.WriteString(typeLabel(c.Kind, c.Name))
		var notes []string
		if c.Size != nil {
			notes = append(notes, fmt.Sprintf("size %d -> %d", c.Size.Old, c.Size.New))
		}
		if c.Detail != nil {
			notes = append(notes, fmt.Sprintf("%s -> %s", c.Detail.Old, c.Detail.New))
		}
		if len(notes) > 0 {
			bw.WriteString(": " + strings.Join(notes, ", "))
		}
		bw.WriteString("\n")
		if c.Type != nil {
			fmt.Fprintf(bw, "    - %s\n    + %s\n", c.Type.Old, c.Type.New)
		}
		for _, m := range c.Members {
			writeMember(bw, m)
		}
		writeValues(bw, c.Values, "    ")
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("diff: writing text: %w", err)
	}
	return nil
}

func typeLabel(kind, name string) string { return kind + " " + name }

func sizeNote(n uint64) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d bytes)", n)
}

// offset formats a bit offset as bytes, with the bit of a bitfield.
func offset(m *Member) string {
	if m.BitfieldSize == 0 && m.BitOffset%8 == 0 {
		return fmt.Sprint(m.BitOffset / 8)
	}
	return fmt.Sprintf("%d:%d", m.BitOffset/8, m.BitOffset%8)
}

func memberText(m *Member) string {
	s := fmt.Sprintf("%s @%s", m.Type, offset(m))
	if m.BitfieldSize != 0 {
		s += fmt.Sprintf(" :%d", m.BitfieldSize)
	}
	return s + fmt.Sprintf(" (%d bytes)", m.Size)
}

func writeMember(bw *bufio.Writer, m MemberChange) {
	switch m.Change {
	case Added:
		fmt.Fprintf(bw, "    + %s: %s\n", m.Name, memberText(m.New))
	case Removed:
		fmt.Fprintf(bw, "    - %s: %s\n", m.Name, memberText(m.Old))
	default:
		var what []string
		o, n := m.Old, m.New
		if o.BitOffset != n.BitOffset {
			what = append(what, fmt.Sprintf("offset %s -> %s", offset(o), offset(n)))
		}
		if o.BitfieldSize != n.BitfieldSize {
			what = append(what, fmt.Sprintf("bits %d -> %d", o.BitfieldSize, n.BitfieldSize))
		}
		if o.Type != n.Type {
			what = append(what, fmt.Sprintf("type %s -> %s", o.Type, n.Type))
		}
		if o.Size != n.Size {
			what = append(what, fmt.Sprintf("size %d -> %d", o.Size, n.Size))
		}
		if len(what) == 0 {
			what = append(what, "values")
		}
		fmt.Fprintf(bw, "    ~ %s: %s\n", m.Name, strings.Join(what, ", "))
		writeValues(bw, m.Values, "        ")
	}
}

func writeValues(bw *bufio.Writer, vs []ValueChange, indent string) {
	for _, v := range vs {
		switch v.Change {
		case Added:
			fmt.Fprintf(bw, "%s+ %s = %s\n", indent, v.Name, v.New)
		case Removed:
			fmt.Fprintf(bw, "%s- %s = %s\n", indent, v.Name, v.Old)
		default:
			fmt.Fprintf(bw, "%s~ %s: %s -> %s\n", indent, v.Name, v.Old, v.New)
		}
	}
}
