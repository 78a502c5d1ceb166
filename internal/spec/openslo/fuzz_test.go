package openslo_test

import (
	"testing"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/openslo"
	"github.com/accord-slo/accord/internal/spec/spectest"
)

// FuzzLoad checks that no input makes the reader panic.
func FuzzLoad(f *testing.F) {
	spectest.Fuzz(f, slo.FormatOpenSLO, func() spectest.Loader { return openslo.NewLoader() })
}
