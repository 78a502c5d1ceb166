package web_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

// catalogOf1000 is a spec of 50 services of 20 SLOs each, owned by 25
// teams, and a day of traffic for it: every tenth SLO has spent its budget
// in the last 90 minutes, every tenth is at risk, every 25th has no data,
// and every 20th is split into 4 stores.
func catalogOf1000() seed {
	var b strings.Builder
	var flows []flow
	for svc := 0; svc < 50; svc++ {
		fmt.Fprintf(&b, "---\napiVersion: accord/v1\nkind: Service\nmetadata: {name: service-%02d}\nspec:\n", svc)
		fmt.Fprintf(&b, "  owners: {team: team-%02d, productOwner: owner-%02d}\n  runbook: https://runbooks.test/service-%02d\n  slos:\n", svc/2, svc/2, svc)
		for k := 0; k < 20; k++ {
			i := svc*20 + k
			stream := fmt.Sprintf("s%d", i)
			group := ""
			if i%20 == 3 {
				group = ", groupBy: [store]"
			}
			fmt.Fprintf(&b, "    - {name: slo-%d, displayName: SLO number %d, objective: 99.9, window: 30d, indicator: {ratio: {stream: %s}}%s}\n",
				i, i, stream, group)
			var f flow
			switch {
			case i%25 == 2:
				continue // no data
			case i%10 == 0:
				f = flow{stream: stream, total: 1000, bad: func(ago time.Duration) float64 {
					if ago <= 90*time.Minute {
						return 0.1
					}
					return 0
				}}
			case i%10 == 1:
				f = steady(stream, 1000, 0.0008)
			default:
				f = steady(stream, 1000, 0.0002)
			}
			if group == "" {
				flows = append(flows, f)
				continue
			}
			for st := 0; st < 4; st++ {
				g := f
				g.labels = map[string]string{"store": fmt.Sprintf("store-%03d", st)}
				flows = append(flows, g)
			}
		}
	}
	return seed{spec: b.String(), span: 24 * time.Hour, step: 10 * time.Minute, flows: flows}
}

// BenchmarkOverview1000SLOs renders the overview of 1,000 SLOs with data
// through the handler, without the network. Goal: < 200 ms.
func BenchmarkOverview1000SLOs(b *testing.B) {
	s := mustSeed(b, catalogOf1000())
	health := map[engine.Health]int{}
	for _, v := range s.engine.SLOs() {
		health[v.Health()]++
	}
	want := map[engine.Health]int{engine.HealthExhausted: 100, engine.HealthAtRisk: 100, engine.HealthNoData: 40, engine.HealthMet: 760}
	if !maps.Equal(health, want) {
		b.Fatalf("the catalog's SLOs stand %v, want %v", health, want)
	}
	size := 0
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("GET /: %d", rec.Code)
		}
		size = rec.Body.Len()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(float64(size)/1024, "KiB/page")
}
