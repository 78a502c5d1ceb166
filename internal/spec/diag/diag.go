// Package diag collects the problems found in spec files, each with the
// file, line, column and field it concerns, so that a person sees every
// problem at once and can act on each.
package diag

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/accord-slo/accord/internal/slo"
)

// Severity says whether a diagnostic stops a spec from being used.
type Severity string

// The severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	// Note says what was left out on purpose, such as a file in a spec
	// directory that holds no SLO spec.
	Note Severity = "note"
)

// Diagnostic is one problem in a spec file.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	// Path is the field path inside the document, e.g. "slos[0].objective".
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// String renders the diagnostic as file:line:col: path: message, with
// "warning: " or "note: " before the path for those severities.
func (d Diagnostic) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: ", d.File, d.Line, d.Column)
	if d.Severity != Error {
		b.WriteString(string(d.Severity) + ": ")
	}
	if d.Path != "" {
		b.WriteString(d.Path)
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	return b.String()
}

// List collects diagnostics. The zero value is ready to use.
type List struct {
	items []Diagnostic
}

// Add appends a diagnostic at origin.
func (l *List) Add(sev Severity, at slo.Origin, format string, args ...any) {
	l.items = append(l.items, Diagnostic{
		Severity: sev, File: at.File, Line: at.Line, Column: at.Column,
		Path: at.Path, Message: fmt.Sprintf(format, args...),
	})
}

// Errorf records an error at origin.
func (l *List) Errorf(at slo.Origin, format string, args ...any) {
	l.Add(Error, at, format, args...)
}

// Warnf records a warning at origin.
func (l *List) Warnf(at slo.Origin, format string, args ...any) {
	l.Add(Warning, at, format, args...)
}

// Notef records a note at origin.
func (l *List) Notef(at slo.Origin, format string, args ...any) {
	l.Add(Note, at, format, args...)
}

// Append adds diagnostics collected elsewhere.
func (l *List) Append(ds ...Diagnostic) { l.items = append(l.items, ds...) }

// HasErrors reports whether any diagnostic is an error.
func (l *List) HasErrors() bool { return l.Count(Error) > 0 }

// Count returns how many diagnostics have severity sev.
func (l *List) Count(sev Severity) int {
	n := 0
	for _, d := range l.Items() {
		if d.Severity == sev {
			n++
		}
	}
	return n
}

// Items returns the diagnostics ordered by file, line and column, with
// exact repeats removed.
func (l *List) Items() []Diagnostic {
	out := make([]Diagnostic, 0, len(l.items))
	seen := map[Diagnostic]bool{}
	for _, d := range l.items {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return out
}

// Err returns nil when there are no errors, and otherwise an error joining
// every error diagnostic, one per line.
func (l *List) Err() error {
	var errs []error
	for _, d := range l.Items() {
		if d.Severity == Error {
			errs = append(errs, errors.New(d.String()))
		}
	}
	return errors.Join(errs...)
}

// Len returns how many diagnostics were recorded.
func (l *List) Len() int { return len(l.items) }

// DropRepeatsSince removes the errors recorded at or after index since that
// stand where an earlier error already stands (same file, line, column and
// field): a later, more general check then does not repeat what an earlier,
// more precise one said about the same field.
func (l *List) DropRepeatsSince(since int) {
	type place struct {
		file      string
		line, col int
		path      string
	}
	taken := map[place]bool{}
	for _, d := range l.items[:since] {
		if d.Severity == Error {
			taken[place{d.File, d.Line, d.Column, d.Path}] = true
		}
	}
	kept := l.items[:since]
	for _, d := range l.items[since:] {
		if d.Severity == Error && taken[place{d.File, d.Line, d.Column, d.Path}] {
			continue
		}
		kept = append(kept, d)
	}
	l.items = kept
}

// HasErrorWithin reports whether an error was recorded in at's file at
// at's field path or inside it (a field below it), so that a general
// complaint about a field can stay silent when a precise one was made.
func (l *List) HasErrorWithin(at slo.Origin) bool {
	for _, d := range l.items {
		if d.Severity != Error || d.File != at.File {
			continue
		}
		if d.Path == at.Path || strings.HasPrefix(d.Path, at.Path+".") || strings.HasPrefix(d.Path, at.Path+"[") {
			return true
		}
	}
	return false
}
