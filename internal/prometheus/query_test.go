package prometheus

import (
	"strings"
	"testing"

	"github.com/accord-slo/accord/internal/slo"
)

func TestCheckQuery(t *testing.T) {
	tests := []struct {
		name    string
		q       slo.Query
		wantErr string
	}{
		{"template", slo.Query{Expr: `sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))`, Shape: slo.ShapeTemplate}, ""},
		{"template without window", slo.Query{Expr: `sum(rate(http_requests_total[5m]))`, Shape: slo.ShapeTemplate}, "no {{.window}}"},
		{"template with other placeholder", slo.Query{Expr: `sum(rate(x[{{.window}}])) / {{.foo}}`, Shape: slo.ShapeTemplate}, "other than"},
		{"template bad syntax", slo.Query{Expr: `sum(rate(x[{{.window}}])`, Shape: slo.ShapeTemplate}, "invalid PromQL"},
		{"counter selector", slo.Query{Expr: `payments_total{result="failed", store=~"s.*"}`, Shape: slo.ShapeCounter}, ""},
		{"counter expression", slo.Query{Expr: `sum(payments_total)`, Shape: slo.ShapeCounter}, "must be a series selector"},
		{"counter bad syntax", slo.Query{Expr: `payments_total{result=}`, Shape: slo.ShapeCounter}, "invalid PromQL"},
		{"instant", slo.Query{Expr: `up{job="pos"} == 1`, Shape: slo.ShapeInstant}, ""},
		{"instant bad", slo.Query{Expr: `up{job="pos"`, Shape: slo.ShapeInstant}, "invalid PromQL"},
		{"empty", slo.Query{Expr: "  ", Shape: slo.ShapeInstant}, "empty"},
		{"unknown shape", slo.Query{Expr: "up", Shape: "weird"}, "unknown query shape"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckQuery(tt.q)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckQuery(%q) = %v, want nil", tt.q.Expr, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("CheckQuery(%q) = %v, want error containing %q", tt.q.Expr, err, tt.wantErr)
			}
		})
	}
}
