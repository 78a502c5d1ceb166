package accord_test

import (
	"os"
	"testing"

	"github.com/accord-slo/accord/internal/spec"
)

func TestLoadMapsEveryField(t *testing.T) {
	cat, diags := loadFile(t, "testdata/good/full.yaml")
	if got := lines(diags); got != "" {
		t.Fatalf("loader diagnostics:\n%s", got)
	}
	if got, want := canonical(t, cat), canonical(t, fullCatalog()); got != want {
		t.Errorf("catalog:\n%s\nwant:\n%s", got, want)
	}
}

func TestLoadPassesValidate(t *testing.T) {
	data, err := os.ReadFile("testdata/good/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res := spec.LoadBytes("full.yaml", data)
	if got := lines(&res.Diags); got != "" {
		t.Errorf("diagnostics:\n%s", got)
	}
}

// TestLoadRecordsOrigins checks the positions spec.Validate points at:
// nested SLOs, standalone ones, and fields inherited from the service.
func TestLoadRecordsOrigins(t *testing.T) {
	cat, _ := loadFile(t, "testdata/good/full.yaml")
	f := "testdata/good/full.yaml"
	tests := []struct {
		slo, field, want string
	}{
		{"checkout/payment-success", "", f + ":20:7 spec.slos[0]"},
		{"checkout/payment-success", "name", f + ":20:13 spec.slos[0].name"},
		{"checkout/payment-success", "service", f + ":20:7 spec.slos[0]"},
		{"checkout/payment-success", "objective", f + ":24:18 spec.slos[0].objective"},
		{"checkout/payment-success", "indicator", f + ":27:9 spec.slos[0].indicator"},
		{"checkout/payment-success", "indicator.bad", f + ":29:26 spec.slos[0].indicator.ratio.bad.counter"},
		{"checkout/payment-success", "indicator.total", f + ":30:28 spec.slos[0].indicator.ratio.total.counter"},
		{"checkout/payment-success", "groupBy", f + ":31:16 spec.slos[0].groupBy"},
		{"checkout/payment-success", "alerting.burnRates[1]", f + ":44:13 spec.slos[0].alerting.burnRates[1]"},
		// inherited from the service
		{"checkout/payment-success", "policy", f + ":18:11 spec.policy"},
		{"checkout/payment-success", "owners", f + ":11:5 spec.owners"},
		{"checkout/checkout-latency", "owners", f + ":62:9 spec.slos[1].owners"},
		{"checkout/checkout-latency", "policy", f + ":64:9 spec.slos[1].policy"},
		{"checkout/checkout-latency", "window", f + ":52:15 spec.slos[1].window"},
		{"checkout/checkout-latency", "budgeting.sliceTarget", f + ":53:69 spec.slos[1].budgeting.sliceTarget"},
		{"checkout/checkout-latency", "indicator.threshold", f + ":56:22 spec.slos[1].indicator.latency.threshold"},
		// a kind: SLO document, its service defined later in the file
		{"checkout/receipts", "", f + ":72:1 "},
		{"checkout/receipts", "name", f + ":75:9 metadata.name"},
		{"checkout/receipts", "service", f + ":80:12 spec.service"},
		{"checkout/receipts", "indicator.stream", f + ":85:21 spec.indicator.ratio.stream"},
		{"store-sync/error-ratio", "owners", f + ":138:11 spec.owners"},
		{"store-sync/error-ratio", "policy", f + ":140:11 spec.policy"},
		{"store-sync/store-link", "policy", f + ":101:11 spec.policy"},
	}
	byID := map[string]int{}
	for i, s := range cat.SLOs {
		byID[s.ID()] = i
	}
	for _, tt := range tests {
		i, ok := byID[tt.slo]
		if !ok {
			t.Fatalf("no SLO %s", tt.slo)
		}
		s := cat.SLOs[i]
		at := s.Origin
		if tt.field != "" {
			at, ok = s.Origins[tt.field]
			if !ok {
				t.Errorf("%s: no origin for %s", tt.slo, tt.field)
				continue
			}
		}
		if got := at.String() + " " + at.Path; got != tt.want {
			t.Errorf("%s %s at %s, want %s", tt.slo, tt.field, got, tt.want)
		}
	}
}
