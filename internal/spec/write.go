package spec

import (
	"bytes"
	"fmt"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/accord"
	"github.com/accord-slo/accord/internal/spec/openslo"
)

// WriteFormats are the formats Write can produce.
var WriteFormats = []string{"accord", "openslo"}

// Write renders the catalog in format ("accord" or "openslo") as
// multi-document YAML. OpenSLO has no kind for error budget policies, so
// they follow the OpenSLO documents as accord/v1 Policy documents: Load
// reads the mixed stream back to the same catalog.
func Write(format string, cat slo.Catalog) ([]byte, error) {
	return WriteWith(format, cat, WriteOptions{})
}

// WriteOptions say how to write.
type WriteOptions struct {
	// Rules returns the burn-rate alerts an SLO without its own is
	// evaluated with (engine.Rules), so that OpenSLO output carries them
	// as AlertPolicy objects; nil writes each SLO's own alerts only.
	Rules func(*slo.SLO) []slo.BurnRateAlert
}

// WriteWith is Write with options.
func WriteWith(format string, cat slo.Catalog, opts WriteOptions) ([]byte, error) {
	switch format {
	case "accord":
		return accord.Write(cat)
	case "openslo":
		out, err := openslo.Write(cat, openslo.Options{Rules: opts.Rules})
		if err != nil || len(cat.Policies) == 0 {
			return out, err
		}
		policies, err := accord.Write(slo.Catalog{Policies: cat.Policies})
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		b.Write(out)
		if len(out) > 0 && !bytes.HasSuffix(out, []byte("\n")) {
			b.WriteByte('\n')
		}
		b.WriteString("---\n")
		b.Write(bytes.TrimPrefix(policies, []byte("---\n")))
		return b.Bytes(), nil
	}
	return nil, fmt.Errorf("write spec: unknown format %q (want accord or openslo)", format)
}
