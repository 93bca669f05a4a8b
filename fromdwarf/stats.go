package fromdwarf

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Stats describes an encoding: the DWARF read, the types before and after
// deduplication, and the time spent in each phase. It is the dedup-ratio
// report of `btfhub encode --stats`.
type Stats struct {
	// DWARFSections lists the size of each .debug_* section.
	DWARFSections []SectionSize
	// DWARFBytes is the total size of the .debug_* sections.
	DWARFBytes uint64
	// CUs and DIEs count the units and DIEs read.
	CUs, DIEs int
	// Warnings counts the warnings (see Options.Warn).
	Warnings int
	// InconsistentFuncs counts the functions left without a FUNC because
	// their prototypes differ across CUs (Options.ConsistentFuncs).
	InconsistentFuncs int
	// TypesBefore and BytesBefore describe the BTF as encoded, one copy
	// of each type per CU; TypesAfter and BytesAfter after dedup. Bytes
	// are those of the raw BTF (header, types and strings).
	TypesBefore, TypesAfter int
	BytesBefore, BytesAfter int
	// Phases lists the wall time of each phase, in order.
	Phases []Phase
}

// SectionSize is the size of one ELF section.
type SectionSize struct {
	Name string
	Size uint64
}

// Phase is the wall time spent in one phase of the encoding.
type Phase struct {
	Name     string
	Duration time.Duration
}

// WriteTable writes the report as an aligned text table. xzBytes is the
// size of the xz-compressed output, or -1 when not measured.
func (s *Stats) WriteTable(w io.Writer, xzBytes int) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	p("DWARF section\tbytes\t\n")
	for _, sec := range s.DWARFSections {
		p("%s\t%d\t\n", sec.Name, sec.Size)
	}
	p("total DWARF\t%d\t\n", s.DWARFBytes)
	p("\t\t\n")
	p("compilation units\t%d\t\n", s.CUs)
	p("DIEs\t%d\t\n", s.DIEs)
	p("warnings\t%d\t\n", s.Warnings)
	if s.InconsistentFuncs > 0 {
		p("functions with inconsistent prototypes\t%d\t\n", s.InconsistentFuncs)
	}
	p("types before dedup\t%d\t\n", s.TypesBefore)
	p("types after dedup\t%d\t\n", s.TypesAfter)
	if s.TypesAfter > 0 {
		p("type dedup ratio\t%.1fx\t\n", float64(s.TypesBefore)/float64(s.TypesAfter))
	}
	p("BTF bytes before dedup\t%d\t\n", s.BytesBefore)
	p("BTF bytes\t%d\t\n", s.BytesAfter)
	if xzBytes >= 0 {
		p("BTF bytes, xz\t%d\t\n", xzBytes)
	}
	if s.BytesAfter > 0 {
		p("DWARF / BTF\t%.1fx\t\n", float64(s.DWARFBytes)/float64(s.BytesAfter))
		if xzBytes > 0 {
			p("DWARF / BTF xz\t%.1fx\t\n", float64(s.DWARFBytes)/float64(xzBytes))
		}
	}
	p("\t\t\n")
	for _, ph := range s.Phases {
		p("time: %s\t%.3f s\t\n", ph.Name, ph.Duration.Seconds())
	}
	return tw.Flush()
}
