package corerel

import (
	"bufio"
	"encoding/json"
	"io"
)

// reportLine is one line of the JSON lines report.
type reportLine struct {
	Program  string  `json:"program"`
	Section  string  `json:"section"`
	Insn     int     `json:"insn"`
	Kind     string  `json:"kind"`
	Type     string  `json:"type"`
	Access   string  `json:"access"`
	Poisoned bool    `json:"poisoned"`
	Value    *uint64 `json:"value"`
}

// WriteReport writes the relocations as JSON lines, one object per
// relocation with the fields program, section, insn, kind, type, access,
// poisoned and value (null when poisoned). program and insn mean what they
// mean in libbpf's debug log ("prog 'NAME': relo #N: patched insn #I").
func (r *Result) WriteReport(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, rel := range r.Relocations {
		line := reportLine{Program: rel.Program, Section: rel.Section, Insn: rel.Insn, Kind: rel.Kind.String(),
			Type: rel.LocalType, Access: rel.Access, Poisoned: rel.Poisoned}
		if !rel.Poisoned {
			v := rel.Value
			line.Value = &v
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}
