package slo

import "fmt"

// Format names the spec format a definition was read from.
type Format string

// The formats Accord reads.
const (
	FormatAccord  Format = "accord/v1"
	FormatOpenSLO Format = "openslo/v1"
	FormatSloth   Format = "sloth"
	FormatPyrra   Format = "pyrra"
)

// Origin says where in a spec file something was declared, so that errors
// and the UI can point a person at the exact line.
type Origin struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	// Path is the field path inside the document, e.g. "slos[1].objective".
	Path   string `json:"path,omitempty"`
	Format Format `json:"format,omitempty"`
}

// String renders the origin as file:line:col.
func (o Origin) String() string {
	return fmt.Sprintf("%s:%d:%d", o.File, o.Line, o.Column)
}

// IsZero reports whether the origin is unknown.
func (o Origin) IsZero() bool { return o.File == "" && o.Line == 0 }

// Origins records where individual fields of a definition came from, keyed
// by the model's field name ("objective", "indicator.total", "policy"), so
// that checks made on the model can still name the file, line and the
// format's own field path.
type Origins map[string]Origin

// Set records the origin of a model field.
func (o Origins) Set(field string, at Origin) { o[field] = at }

// Get returns the origin of field, or fallback when the field's own
// position was not recorded.
func (o Origins) Get(field string, fallback Origin) Origin {
	if at, ok := o[field]; ok {
		return at
	}
	return fallback
}
