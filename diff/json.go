package diff

import (
	"encoding/json"
	"fmt"
	"io"
)

// jsonReport is the document WriteJSON writes; see the package
// documentation for its schema.
type jsonReport struct {
	A string `json:"a"`
	B string `json:"b"`
	*Report
}

// WriteJSON writes the report as one JSON object followed by a newline,
// with nameA and nameB labelling the two sides. The schema is in the
// package documentation.
func WriteJSON(w io.Writer, r *Report, nameA, nameB string) error {
	data, err := json.Marshal(jsonReport{A: nameA, B: nameB, Report: r})
	if err != nil {
		return fmt.Errorf("diff: encoding JSON: %w", err)
	}
	if _, err := w.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("diff: writing JSON: %w", err)
	}
	return nil
}
