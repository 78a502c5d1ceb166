package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/testenv"
)

// slackHook counts the lines (one per notification) Slack-compatible
// messages carry.
type slackHook struct {
	mu    sync.Mutex
	lines int
}

func (s *slackHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.lines += strings.Count(string(b), `\n`) + 1
	s.mu.Unlock()
}

func (s *slackHook) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lines
}

// metricSums reads a replica's /metrics and sums the samples of each
// series name whose labels contain every one of match.
func metricSums(t *testing.T, addr string, match ...string) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("read metrics of %s: %v", addr, err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		ok := true
		for _, m := range match {
			ok = ok && strings.Contains(line[:i], m)
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); ok && err == nil {
			out[line[:i]] += v
		}
	}
	return out
}

// TestAPausedLeaderSendsNothingOnceItsLeaseRanOut stops the leader of two
// accord serve processes with SIGSTOP (a long pause, a frozen VM) past its
// lease, lets the other take over and notify, then resumes it: the
// resumed process sends none of the new leader's notifications again, on
// any channel (webhook, Slack, Alertmanager), and saves no state.
func TestAPausedLeaderSendsNothingOnceItsLeaseRanOut(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	url := pg.Database(t)
	bin := buildAccord(t)
	am := testenv.StartAlertmanager(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "slos.yaml"), []byte(replicaSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	hook := &webhook{got: map[int64]int{}}
	hookSrv := httptest.NewServer(hook)
	defer hookSrv.Close()
	slack := &slackHook{}
	slackSrv := httptest.NewServer(slack)
	defer slackSrv.Close()

	const lease = 3 * time.Second
	rs := make([]*replica, 2)
	for i := range rs {
		addr := testenv.FreeAddr(t)
		p := testenv.Start(t, dir, bin, "serve", "--config", "slos.yaml", "--database", url, "--addr", addr,
			"--token", "t0ken", "--eval-interval", "1s", "--leader-lease", lease.String(),
			"--webhook-url", hookSrv.URL, "--slack-url", slackSrv.URL, "--alertmanager-url", am.URL)
		rs[i] = &replica{addr: addr, proc: p}
	}
	for _, r := range rs {
		testenv.WaitHTTP(t, "http://"+r.addr+"/readyz", 60*time.Second)
	}
	testenv.WaitFor(t, 30*time.Second, "exactly one leader", func() bool { return len(leaders(rs)) == 1 })
	old := leaders(rs)[0]
	next := 1 - old
	oldAddr, nextAddr := rs[old].addr, rs[next].addr

	// A page the first leader delivers, fully recorded as delivered on
	// every channel before the pause, so no delivery is under way.
	if !push(nextAddr, batch("receipts", "s1", "bad", 40)) {
		t.Fatal("push of bad receipts was not acknowledged")
	}
	testenv.WaitFor(t, 30*time.Second, "the first page on every channel", func() bool {
		ids := storedNotifications(t, url)
		if len(ids) == 0 || len(hook.counts()) == 0 {
			return false
		}
		last := ids[len(ids)-1]
		for _, c := range pgQuery[int64](t, url, `SELECT last_id FROM cursors`) {
			if c != last {
				return false
			}
		}
		return true
	})
	sentBefore := metricSums(t, oldAddr, "accord_notifications_total", `result="ok"`)
	errsBefore := metricSums(t, oldAddr, "accord_evaluation_errors_total")
	t.Logf("before the pause the leader delivered %v", sentBefore)

	if err := rs[old].proc.Cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	paused := time.Now()
	resumed := false
	defer func() {
		if !resumed {
			_ = rs[old].proc.Cmd.Process.Signal(syscall.SIGCONT)
		}
	}()
	testenv.WaitFor(t, 30*time.Second, "the other replica to lead", func() bool { return leaderGauge(nextAddr) == 1 })
	before := len(storedNotifications(t, url))
	for i := 0; i < 3; i++ {
		if !push(nextAddr, batch("payments", "s0", "bad", 20)) {
			t.Fatal("push of bad payments was not acknowledged")
		}
	}
	testenv.WaitFor(t, 30*time.Second, "the new leader's notifications on the webhook", func() bool {
		ids := storedNotifications(t, url)
		return len(ids) > before && hook.counts()[ids[len(ids)-1]] == 1
	})
	if err := rs[old].proc.Cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	resumed = true
	t.Logf("the leader was paused for %v (lease %v)", time.Since(paused).Round(100*time.Millisecond), lease)

	// Once resumed, the old leader learns that it no longer leads; one
	// more page from the new leader shows time passed with both running.
	testenv.WaitFor(t, 30*time.Second, "the resumed replica to follow", func() bool { return leaderGauge(oldAddr) == 0 })
	before = len(storedNotifications(t, url))
	if !push(oldAddr, batch("receipts", "s2", "bad", 40)) {
		t.Fatal("push of bad receipts was not acknowledged")
	}
	// Every channel's cursor at the newest notification: all of them are
	// delivered (a Slack send may still be retrying when the webhook has
	// its copy), so what each channel got below is final.
	testenv.WaitFor(t, 30*time.Second, "a page after the resumption on every channel", func() bool {
		ids := storedNotifications(t, url)
		if len(ids) <= before || hook.counts()[ids[len(ids)-1]] != 1 {
			return false
		}
		for _, c := range pgQuery[int64](t, url, `SELECT last_id FROM cursors`) {
			if c != ids[len(ids)-1] {
				return false
			}
		}
		return true
	})

	ids := storedNotifications(t, url)
	got := hook.counts()
	for _, id := range ids {
		if got[id] != 1 {
			t.Errorf("notification %d reached the webhook %d times, want once", id, got[id])
		}
	}
	if n := slack.count(); n != len(ids) {
		t.Errorf("Slack got %d notification lines for %d notifications", n, len(ids))
	}
	sentAfter := metricSums(t, oldAddr, "accord_notifications_total", `result="ok"`)
	for series, n := range sentAfter {
		if n != sentBefore[series] {
			t.Errorf("the resumed replica sent %v more on %s", n-sentBefore[series], series)
		}
	}
	if len(sentAfter) != 3 {
		t.Errorf("the first leader delivered on %d channels, want webhook, Slack and Alertmanager: %v", len(sentAfter), sentAfter)
	}
	if e := metricSums(t, oldAddr, "accord_evaluation_errors_total"); fmt.Sprint(e) != fmt.Sprint(errsBefore) {
		t.Errorf("the resumed replica's evaluations failed (a leader's write refused?): %v, before the pause %v", e, errsBefore)
	}
	if out := rs[old].proc.Output(); !strings.Contains(out, "lease ran out") {
		t.Errorf("the resumed replica did not say that its lease ran out:\n%s", out)
	}
	t.Logf("%d notifications, each delivered once: %v", len(ids), hook.all)
}
