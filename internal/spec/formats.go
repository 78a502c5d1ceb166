package spec

import (
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/accord"
	"github.com/accord-slo/accord/internal/spec/openslo"
	"github.com/accord-slo/accord/internal/spec/pyrra"
	"github.com/accord-slo/accord/internal/spec/sloth"
)

func newFormatLoader(f slo.Format) formatLoader {
	switch f {
	case slo.FormatOpenSLO:
		return openslo.NewLoader()
	case slo.FormatSloth:
		return sloth.NewLoader()
	case slo.FormatPyrra:
		return pyrra.NewLoader()
	}
	return accord.NewLoader()
}
