package accord_test

import (
	"slices"
	"testing"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
)

// TestExamplesLoadClean loads examples/ as the README tells people to and
// expects no word from the loader or from spec.Validate.
func TestExamplesLoadClean(t *testing.T) {
	res, err := spec.Load("../../../examples")
	if err != nil {
		t.Fatal(err)
	}
	if got := lines(&res.Diags); got != "" {
		t.Errorf("diagnostics:\n%s", got)
	}
	var ids []string
	for _, s := range res.Catalog.SLOs {
		if s.Origin.Format == slo.FormatAccord {
			ids = append(ids, s.ID())
		}
	}
	slices.Sort(ids)
	want := []string{
		"checkout/checkout-latency", "checkout/customer-checks-out", "checkout/payment-success", "checkout/receipt-printing",
		"store-sync/price-updates-applied", "store-sync/sync-freshness",
	}
	if !slices.Equal(ids, want) {
		t.Errorf("accord SLOs = %v, want %v", ids, want)
	}
	payment := res.Catalog.SLOs[slices.IndexFunc(res.Catalog.SLOs, func(s slo.SLO) bool { return s.Name == "payment-success" })]
	if payment.Policy != "store-critical" || !slices.Equal(payment.GroupBy, []string{"store"}) || payment.Indicator.Bad.Shape != slo.ShapeCounter {
		t.Errorf("payment-success = policy %q, groupBy %v, bad %+v", payment.Policy, payment.GroupBy, payment.Indicator.Bad)
	}
	owners := res.Catalog.EffectiveOwners(res.Catalog.SLOs[slices.IndexFunc(res.Catalog.SLOs, func(s slo.SLO) bool { return s.Name == "receipt-printing" })])
	if owners.Team != "pos-devices" || owners.ProductOwner != "maria.jensen" || owners.OnCall.Receiver != "pos-devices-pager" {
		t.Errorf("receipt-printing owners = %+v", owners)
	}
}
