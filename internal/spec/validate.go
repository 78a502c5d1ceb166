package spec

import (
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// Validate checks the catalog as a whole: values in range, PromQL that
// parses, references that resolve, names that are unique, owners named.
func Validate(cat *slo.Catalog, diags *diag.List) {
}
