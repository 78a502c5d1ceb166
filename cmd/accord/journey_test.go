package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/testenv"
)

// TestJourneyServedByTheBinary runs accord serve on a spec with a
// journey over scan and pay, pushes scan 100 good and pay 90 good of 100,
// and reads the journey: SLI 0.95, a budget, burn rates and pay as the
// cause of all its spent budget; the same after a restart, which derives
// it again from what the components stored.
func TestJourneyServedByTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildAccord(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "slos.yaml"), []byte(journeySpec), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := testenv.FreeAddr(t)
	p := serve(t, bin, dir, addr)
	body := `{"stream": "scan", "good": 100, "total": 100}` + "\n" + `{"stream": "pay", "good": 90, "total": 100}` + "\n"
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/events", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer t0ken")
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("push: %d", resp.StatusCode)
	}
	read := func() testenv.JourneyAnswer {
		t.Helper()
		var v testenv.JourneyAnswer
		testenv.WaitFor(t, 20*time.Second, "the journey to count both pushes", func() bool {
			resp, err := http.Get("http://" + addr + "/api/v1/slos/checkout/customer-checks-out")
			if err != nil {
				return false
			}
			defer resp.Body.Close()
			v = testenv.JourneyAnswer{}
			return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&v) == nil && v.Status.Counts.Total == 200
		})
		return v
	}
	check := func(when string, v testenv.JourneyAnswer) {
		t.Helper()
		if !v.Journey || v.Status.SLI == nil || *v.Status.SLI != 0.95 {
			t.Fatalf("%s: journey %v SLI %v, want 0.95", when, v.Journey, v.Status.SLI)
		}
		if v.Status.Budget.Consumed != 10 || v.Status.Budget.Total <= 0 {
			t.Fatalf("%s: budget %+v, want 10 bad events of about 2 allowed", when, v.Status.Budget)
		}
		if len(v.Status.BurnRates) == 0 || !v.Status.BurnRates[0].HasData || v.Status.BurnRates[0].Rate < 4.99 || v.Status.BurnRates[0].Rate > 5.01 {
			t.Fatalf("%s: burn rates %+v, want 5 (5%% bad of a 1%% budget)", when, v.Status.BurnRates)
		}
		if len(v.Components) != 2 || v.Components[1].SLO != "checkout/pay" || v.Components[1].SpentShare != 1 ||
			v.Components[0].SLO != "checkout/scan" || v.Components[0].SpentShare != 0 || v.Components[1].Total != 100 {
			t.Fatalf("%s: components %+v, want pay to have spent all of it", when, v.Components)
		}
	}
	check("served", read())
	metrics := func() string {
		resp, err := http.Get("http://" + addr + "/metrics?service=checkout")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if m := metrics(); !strings.Contains(m, `accord_slo_sli_ratio{service="checkout",slo="customer-checks-out",team="pos"} 0.95`) {
		t.Fatalf("/metrics lacks the journey's SLI:\n%s", m)
	}
	p.Stop()
	serve(t, bin, dir, addr)
	check("after a restart", read())
}
