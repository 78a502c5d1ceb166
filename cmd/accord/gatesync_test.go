package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/gate"
	"github.com/accord-slo/accord/internal/testenv"
)

// gateAllows asks a replica's gate about checkout; -1 when it does not
// answer 200.
func gateAllows(addr string) int {
	resp, err := http.Get("http://" + addr + "/api/v1/gate?service=checkout")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var d gate.Decision
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&d) != nil {
		return -1
	}
	if d.Allow {
		return 1
	}
	return 0
}

// TestReplicasAgreeOnTheGateWithinTwoSeconds runs two accord serve
// processes at the default 15 s evaluation interval, exhausts a budget
// through the leader and times how long after the leader's gate denies
// releases the follower's does too.
func TestReplicasAgreeOnTheGateWithinTwoSeconds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	url := pg.Database(t)
	bin := buildAccord(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "slos.yaml"), []byte(gateSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	rs := make([]*replica, 2)
	for i := range rs {
		addr := testenv.FreeAddr(t)
		p := testenv.Start(t, dir, bin, "serve", "--config", "slos.yaml", "--database", url, "--addr", addr,
			"--token", "t0ken", "--leader-lease", "3s")
		rs[i] = &replica{addr: addr, proc: p}
	}
	for _, r := range rs {
		testenv.WaitHTTP(t, "http://"+r.addr+"/readyz", 60*time.Second)
	}
	testenv.WaitFor(t, 30*time.Second, "exactly one leader", func() bool { return len(leaders(rs)) == 1 })
	l := leaders(rs)[0]
	leader, follower := rs[l].addr, rs[1-l].addr
	if gateAllows(leader) != 1 || gateAllows(follower) != 1 {
		t.Fatalf("before any event the gates answer %d and %d, want both to allow", gateAllows(leader), gateAllows(follower))
	}

	// 400 events, half bad: the 99% objective's budget is spent.
	if !push(leader, batch("payments", "s0", "good", 200)+batch("payments", "s0", "bad", 200)) {
		t.Fatal("push was not acknowledged")
	}
	pushed := time.Now()
	var leaderDenied, followerDenied time.Time
	testenv.WaitFor(t, 30*time.Second, "both gates to deny", func() bool {
		now := time.Now()
		if leaderDenied.IsZero() && gateAllows(leader) == 0 {
			leaderDenied = now
		}
		if followerDenied.IsZero() && gateAllows(follower) == 0 {
			followerDenied = now
		}
		return !leaderDenied.IsZero() && !followerDenied.IsZero()
	})
	lag := followerDenied.Sub(leaderDenied)
	t.Logf("the leader denied %v after the push", leaderDenied.Sub(pushed).Round(10*time.Millisecond))
	t.Logf("the follower's gate denied %v after the leader's (evaluation interval 15s)", lag.Round(10*time.Millisecond))
	if lag > 2*time.Second {
		t.Errorf("the follower's gate denied %v after the leader's, want within 2s", lag)
	}
}
