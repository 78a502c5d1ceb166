package web_test

import (
	"strings"
	"testing"
)

// TestTeamPageAdvice checks what a team page asks of its team: a team
// whose SLO in checkout is met is still told checkout's releases are
// frozen when another team's SLO there has spent its budget, and a team
// whose SLOs all lack data is not told they are within budget.
func TestTeamPageAdvice(t *testing.T) {
	seed := groceryTraffic()
	spec := strings.Replace(seed.spec, "      indicator: {latency: {stream: scans, threshold: 300ms}}",
		"      indicator: {latency: {stream: scans, threshold: 300ms}}\n      owners: {team: tills}", 1)
	spec = strings.Replace(spec, "      indicator: {ratio: {stream: coupons}}",
		"      indicator: {ratio: {stream: coupons}}\n      owners: {team: vouchers}", 1)
	if spec == seed.spec || strings.Count(spec, "owners: {team: ") != 3 {
		t.Fatal("the grocery spec changed: the SLO owners were not set")
	}
	seed.spec = spec
	s := mustSeed(t, seed)

	tills := text(s.mustGet(t, "/teams/tills"))
	if !strings.Contains(tills, "Releases of checkout are frozen") || !strings.Contains(tills, "payments (exhausted, owned by pos-platform)") ||
		strings.Contains(tills, "feature work as planned") {
		t.Errorf("the tills team, whose scan-latency is met, is not told checkout is frozen by pos-platform's payments:\n%s", tills)
	}
	vouchers := text(s.mustGet(t, "/teams/vouchers"))
	if !strings.Contains(vouchers, "None of the team's SLOs has data yet") || strings.Contains(vouchers, "within its budget") {
		t.Errorf("the vouchers team, whose one SLO has no data, is told otherwise:\n%s", vouchers)
	}
}
