package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/testenv"
)

// sloAnswers returns the status a replica answers for an SLO.
func sloAnswers(addr, id string) int {
	resp, err := http.Get("http://" + addr + "/api/v1/slos/" + id)
	if err != nil {
		return -1
	}
	resp.Body.Close()
	return resp.StatusCode
}

// readiness returns a replica's /readyz status and body.
func readiness(t *testing.T, addr string) (int, map[string]string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &body)
	return resp.StatusCode, body
}

// TestAReloadReachesEveryReplica runs two accord serve processes on one
// PostgreSQL, each reading its own copy of the specs. A reload on one
// whose files the other lacks leaves the other running what it ran, not
// ready and saying why on /readyz and /metrics; once its files agree it
// takes the revision by itself. Then a SIGHUP on one replica, with both
// files changed, reaches the other within 15 s: it serves the new SLO and
// takes pushes to its stream.
func TestAReloadReachesEveryReplica(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	url := pg.Database(t)
	bin := buildAccord(t)
	dirs := []string{t.TempDir(), t.TempDir()}
	write := func(dir, spec string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "slos.yaml"), []byte(spec), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rs := make([]*replica, 2)
	for i, dir := range dirs {
		write(dir, killSpec)
		addr := testenv.FreeAddr(t)
		p := testenv.Start(t, dir, bin, "serve", "--config", "slos.yaml", "--database", url, "--addr", addr,
			"--token", "t0ken", "--eval-interval", "1s", "--leader-lease", "3s")
		rs[i] = &replica{addr: addr, proc: p}
	}
	for _, r := range rs {
		testenv.WaitHTTP(t, "http://"+r.addr+"/readyz", 60*time.Second)
	}
	a, b := rs[0].addr, rs[1].addr

	// A reload on a with a new SLO that b's files lack.
	withPayments := killSpec + "    - {name: payments, objective: 99.5, window: 7d, indicator: {ratio: {stream: payments}}}\n"
	write(dirs[0], withPayments)
	req, _ := http.NewRequest(http.MethodPost, "http://"+a+"/api/v1/reload", nil)
	req.Header.Set("Authorization", "Bearer t0ken")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("reload on a: %v %v", resp, err)
	}
	resp.Body.Close()
	testenv.WaitFor(t, 15*time.Second, "b to report that its specs differ", func() bool {
		code, _ := readiness(t, b)
		return code == http.StatusServiceUnavailable
	})
	if _, body := readiness(t, b); !strings.Contains(body["reason"], "differ from revision") {
		t.Errorf("b's /readyz says %v; want the reason", body)
	}
	if got := metricSums(t, b, "accord_specs_agree"); got["accord_specs_agree"] != 0 {
		t.Errorf("b's accord_specs_agree %v, want 0", got)
	}
	if code := sloAnswers(b, "checkout/payments"); code != http.StatusNotFound {
		t.Errorf("b answers %d for the SLO its files lack, want 404 (it keeps what it ran)", code)
	}
	if l := leaderGauge(b); l != 0 {
		t.Errorf("b, whose specs differ, leads (%d)", l)
	}
	if code, _ := readiness(t, a); code != http.StatusOK {
		t.Errorf("a, which published the revision, is not ready: %d", code)
	}

	// b's files catch up: b takes the revision without a reload.
	write(dirs[1], withPayments)
	testenv.WaitFor(t, 15*time.Second, "b to take the revision once its files agree", func() bool {
		code, _ := readiness(t, b)
		return code == http.StatusOK && sloAnswers(b, "checkout/payments") == http.StatusOK
	})
	if got := metricSums(t, b, "accord_specs_agree"); got["accord_specs_agree"] != 1 {
		t.Errorf("b's accord_specs_agree %v, want 1", got)
	}

	// Both files change; one SIGHUP to a reaches b.
	withRefunds := withPayments + "    - {name: refunds, objective: 99, window: 7d, indicator: {ratio: {stream: refunds}}}\n"
	write(dirs[0], withRefunds)
	write(dirs[1], withRefunds)
	if err := rs[0].proc.Cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	testenv.WaitFor(t, 30*time.Second, "the new SLO on both replicas", func() bool {
		return sloAnswers(a, "checkout/refunds") == http.StatusOK && sloAnswers(b, "checkout/refunds") == http.StatusOK
	})
	took := time.Since(sent)
	t.Logf("a SIGHUP on one replica reached the other in %v", took.Round(10*time.Millisecond))
	if took > 15*time.Second {
		t.Errorf("the reload reached the other replica after %v, want within 15s", took)
	}
	if !push(b, `{"stream": "refunds", "outcome": "good"}`) {
		t.Error("b refused a push to the new SLO's stream")
	}
}
