package pyrra_test

import (
	"testing"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/pyrra"
	"github.com/accord-slo/accord/internal/spec/spectest"
)

// FuzzLoad checks that no input makes the reader panic.
func FuzzLoad(f *testing.F) {
	spectest.Fuzz(f, slo.FormatPyrra, func() spectest.Loader { return pyrra.NewLoader() })
}
