package replay

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/accord-slo/accord/internal/slo"
)

// Formats are the output formats Write takes.
var Formats = []string{"table", "json", "html"}

// Write renders a replay as a table for people, as JSON, or as a
// self-contained HTML page with charts; cat is the catalog replayed, for
// the charts' objectives and alert thresholds.
func Write(w io.Writer, r *Result, cat slo.Catalog, format string) error {
	switch format {
	case "table", "":
		return writeTable(w, r)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "html":
		return writeHTML(w, r, cat)
	}
	return fmt.Errorf("output format %q: want table, json or html", format)
}
