package slo

import (
	"testing"
	"time"
)

func TestWindow(t *testing.T) {
	tests := []struct {
		w       Window
		nominal time.Duration
		text    string
	}{
		{Window{Rolling: 28 * 24 * time.Hour}, 28 * 24 * time.Hour, "28d"},
		{Window{Rolling: 30 * 24 * time.Hour}, 30 * 24 * time.Hour, "30d"},
		{Window{Calendar: CalendarMonth, TimeZone: "Europe/Berlin"}, 30 * 24 * time.Hour, "calendar month (Europe/Berlin)"},
		{Window{Calendar: CalendarQuarter}, 90 * 24 * time.Hour, "calendar quarter"},
		{Window{Calendar: CalendarWeek}, 7 * 24 * time.Hour, "calendar week"},
	}
	for _, tt := range tests {
		if got := tt.w.Nominal(); got != tt.nominal {
			t.Errorf("%+v.Nominal() = %v, want %v", tt.w, got, tt.nominal)
		}
		if got := tt.w.String(); got != tt.text {
			t.Errorf("%+v.String() = %q, want %q", tt.w, got, tt.text)
		}
	}
}

func TestComparison(t *testing.T) {
	for _, tt := range []struct {
		op   string
		v    float64
		want bool
	}{{"<", 0.2, true}, {"lt", 0.3, false}, {"lte", 0.3, true}, {">", 0.3, false}, {"gte", 0.3, true}, {">=", 0.2, false}} {
		op, ok := ParseOp(tt.op)
		if !ok {
			t.Fatalf("ParseOp(%q) failed", tt.op)
		}
		if got := (Comparison{Op: op, Value: 0.3}).Holds(tt.v); got != tt.want {
			t.Errorf("%v %s 0.3 = %v, want %v", tt.v, tt.op, got, tt.want)
		}
	}
	if _, ok := ParseOp("=="); ok {
		t.Error("ParseOp(==) should fail")
	}
}

func TestOwnersMerge(t *testing.T) {
	svc := Owners{Team: "pos", ProductOwner: "maria", OnCall: Route{Receiver: "pager"}}
	got := Owners{Team: "devices"}.Merge(svc)
	want := Owners{Team: "devices", ProductOwner: "maria", OnCall: Route{Receiver: "pager"}}
	if got.Team != want.Team || got.ProductOwner != want.ProductOwner || got.OnCall.Receiver != want.OnCall.Receiver || got.Escalation != "" {
		t.Errorf("Merge = %+v, want %+v", got, want)
	}
}

func TestCatalogPolicy(t *testing.T) {
	var c Catalog
	if p, ok := c.Policy(""); !ok || p.Name != DefaultPolicyName || len(p.States) != 3 {
		t.Errorf("default policy = %+v, %v", p, ok)
	}
	c.Policies = []Policy{{Name: DefaultPolicyName, States: []PolicyState{{Name: "ok"}}}}
	if p, _ := c.Policy(""); len(p.States) != 1 {
		t.Errorf("a defined default policy should replace the built-in one, got %+v", p)
	}
	if _, ok := c.Policy("missing"); ok {
		t.Error("unknown policy found")
	}
}

func TestBudgetFraction(t *testing.T) {
	if got := (SLO{Objective: 99.9}).BudgetFraction(); got < 0.000999 || got > 0.001001 {
		t.Errorf("BudgetFraction(99.9) = %v, want 0.001", got)
	}
}
