// Package pyrra reads pyrra spec documents into the slo model.
package pyrra

import (
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// Loader reads pyrra documents.
type Loader struct {
	cat slo.Catalog
}

// NewLoader returns an empty Loader.
func NewLoader() *Loader { return &Loader{} }

// Add reads one document.
func (l *Loader) Add(d *decode.Doc) {
	d.Errorf(d.Root, "", "pyrra documents are not read yet")
}

// Finish returns everything read.
func (l *Loader) Finish(diags *diag.List) slo.Catalog { return l.cat }
