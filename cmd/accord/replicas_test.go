package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/accord-slo/accord/internal/notify"
	"github.com/accord-slo/accord/internal/testenv"
)

var pg = testenv.NewPostgres()

// TestMain stops the PostgreSQL the tests started and removes the binary
// they built.
func TestMain(m *testing.M) {
	code := m.Run()
	pg.Stop()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// replicaSpec is killSpec's grouped receipts SLO and an ungrouped one.
const replicaSpec = killSpec + `    - name: payments
      objective: 99.5
      window: 7d
      indicator: {ratio: {stream: payments}}
`

// replica is one accord serve process on the shared database.
type replica struct {
	addr string
	proc *testenv.Process
	dead atomic.Bool
}

// webhook records every notification it receives, by id.
type webhook struct {
	mu  sync.Mutex
	got map[int64]int // times each notification id arrived
	all []int64
}

func (w *webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	var msg notify.WebhookMessage
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, n := range msg.Notifications {
		w.got[n.ID]++
		w.all = append(w.all, n.ID)
	}
}

func (w *webhook) counts() map[int64]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[int64]int{}
	for k, v := range w.got {
		out[k] = v
	}
	return out
}

// leaderGauge reads accord_leader from a replica's /metrics; -1 when it
// does not answer.
func leaderGauge(addr string) int {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		switch line {
		case "accord_leader 1":
			return 1
		case "accord_leader 0":
			return 0
		}
	}
	return -1
}

// leaders returns the indexes of the live replicas that report leading.
func leaders(rs []*replica) []int {
	var out []int
	for i, r := range rs {
		if !r.dead.Load() && leaderGauge(r.addr) == 1 {
			out = append(out, i)
		}
	}
	return out
}

// push sends one batch and reports whether it was acknowledged.
func push(addr, body string) bool {
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/events", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer t0ken")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusAccepted
}

func batch(stream, store, outcome string, n int) string {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{"stream":%q,"labels":{"store":%q},"outcome":%q}`+"\n", stream, store, outcome)
	}
	return b.String()
}

// counted returns an SLO's total events as a replica shows them.
func counted(addr, slo string) float64 {
	resp, err := http.Get("http://" + addr + "/api/v1/slos/checkout/" + slo)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var v struct {
		Status struct {
			Counts struct{ Total float64 } `json:"counts"`
		} `json:"status"`
	}
	if json.NewDecoder(resp.Body).Decode(&v) != nil {
		return -1
	}
	return v.Status.Counts.Total
}

// TestThreeReplicasSurviveTheLeadersKillNine runs three accord serve
// processes on one PostgreSQL, pushes through all of them, kills the leader
// with SIGKILL mid-ingest, and checks leadership, counts and notifications.
func TestThreeReplicasSurviveTheLeadersKillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	url := pg.Database(t)
	bin := buildAccord(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "slos.yaml"), []byte(replicaSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	hook := &webhook{got: map[int64]int{}}
	hookSrv := httptest.NewServer(hook)
	defer hookSrv.Close()

	const lease = 3 * time.Second
	rs := make([]*replica, 3)
	for i := range rs {
		addr := testenv.FreeAddr(t)
		p := testenv.Start(t, dir, bin, "serve", "--config", "slos.yaml", "--database", url, "--addr", addr,
			"--token", "t0ken", "--eval-interval", "1s", "--leader-lease", lease.String(), "--webhook-url", hookSrv.URL)
		rs[i] = &replica{addr: addr, proc: p}
	}
	for _, r := range rs {
		testenv.WaitHTTP(t, "http://"+r.addr+"/readyz", 60*time.Second)
	}
	testenv.WaitFor(t, 30*time.Second, "exactly one leader", func() bool { return len(leaders(rs)) == 1 })
	first := leaders(rs)[0]

	// An event pushed to one follower shows on the other within two
	// evaluation intervals (they pull every interval).
	f1, f2 := (first+1)%3, (first+2)%3
	if !push(rs[f1].addr, batch("payments", "s0", "good", 10)) {
		t.Fatal("push to a follower was not acknowledged")
	}
	pushed := time.Now()
	testenv.WaitFor(t, 20*time.Second, "the other follower to count the event", func() bool { return counted(rs[f2].addr, "payments") == 10 })
	t.Logf("an event pushed to one follower showed on another after %v (evaluation interval 1s)", time.Since(pushed).Round(10*time.Millisecond))

	// Good events through every replica, and enough bad ones through a
	// follower to fire the receipts page, delivered by the leader.
	var acked, sent [3]atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				outcome := "good"
				if i == f1 && n%4 == 0 {
					outcome = "bad"
				}
				sent[i].Add(50)
				if !push(rs[i].addr, batch("receipts", fmt.Sprintf("s%d", i), outcome, 50)) {
					if rs[i].dead.Load() {
						return
					}
					continue
				}
				acked[i].Add(50)
			}
		}()
	}
	testenv.WaitFor(t, 30*time.Second, "the receipts page to reach the webhook", func() bool { return len(hook.counts()) > 0 })

	// Kill the leader mid-ingest.
	killed := time.Now()
	rs[first].dead.Store(true)
	if err := rs[first].proc.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = rs[first].proc.Cmd.Wait()
	cursorAtKill := webhookCursor(t, url, hookSrv.URL)
	testenv.WaitFor(t, 30*time.Second, "another replica to lead", func() bool { return len(leaders(rs)) == 1 })
	failover := time.Since(killed)
	t.Logf("after kill -9 of the leader another replica led within %v (lease %v)", failover.Round(10*time.Millisecond), lease)
	if failover > 30*time.Second {
		t.Errorf("failover took %v, want under 30s", failover)
	}
	second := leaders(rs)[0]
	for i := 0; i < 5; i++ { // and it stays the only one
		if l := leaders(rs); len(l) != 1 || l[0] != second {
			t.Fatalf("leaders %v after failover; want only replica %d", l, second)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// A new page after the failover: the new leader delivers it.
	before := len(hook.counts())
	for i := 0; i < 3; i++ {
		if !push(rs[second].addr, batch("payments", "s0", "bad", 20)) {
			t.Fatal("push of bad payments was not acknowledged")
		}
	}
	testenv.WaitFor(t, 30*time.Second, "the payments page from the new leader", func() bool { return len(hook.counts()) > before })
	close(stop)
	wg.Wait()

	// Counts: every acknowledged event once, on every surviving replica.
	var ack, snt int64
	for i := range rs {
		ack, snt = ack+acked[i].Load(), snt+sent[i].Load()
	}
	stored := storedTotal(t, url, "checkout/receipts")
	if stored < float64(ack) || stored > float64(snt) {
		t.Errorf("the database holds %v receipts events; acknowledged %d, sent %d", stored, ack, snt)
	}
	for i, r := range rs {
		if r.dead.Load() {
			continue
		}
		testenv.WaitFor(t, 20*time.Second, fmt.Sprintf("replica %d to count every stored event", i), func() bool {
			return counted(r.addr, "receipts") == stored
		})
	}
	t.Logf("receipts: acknowledged %d, sent %d, stored and counted by both survivors %v", ack, snt, stored)

	// Notifications: none lost; a repeat only for one the killed leader
	// sent but had not recorded as delivered (at least once).
	ids := storedNotifications(t, url)
	testenv.WaitFor(t, 30*time.Second, "every stored notification to reach the webhook", func() bool {
		got := hook.counts()
		for _, id := range ids {
			if got[id] == 0 {
				return false
			}
		}
		return true
	})
	for id, n := range hook.counts() {
		if n > 1 && id <= cursorAtKill {
			t.Errorf("notification %d arrived %d times though the killed leader had recorded it as delivered (cursor %d)", id, n, cursorAtKill)
		}
		if n > 2 {
			t.Errorf("notification %d arrived %d times", id, n)
		}
	}
	t.Logf("%d notifications stored, webhook received %v (cursor at the kill: %d)", len(ids), hook.all, cursorAtKill)
}

func pgQuery[T any](t *testing.T, url, q string, args ...any) []T {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, q, args...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[T])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func webhookCursor(t *testing.T, url, hook string) int64 {
	c := pgQuery[int64](t, url, `SELECT last_id FROM cursors WHERE channel = $1`, "webhook:"+hook)
	if len(c) != 1 {
		t.Fatalf("cursor rows %v for the webhook", c)
	}
	return c[0]
}

func storedTotal(t *testing.T, url, slo string) float64 {
	return pgQuery[float64](t, url, `SELECT COALESCE(SUM(total), 0) FROM counts WHERE slo = $1 AND kind = 'events'`, slo)[0]
}

func storedNotifications(t *testing.T, url string) []int64 {
	return pgQuery[int64](t, url, `SELECT id FROM notifications ORDER BY id`)
}

// BenchmarkFailover kills the leader of two accord serve replicas with
// SIGKILL and times until the other leads, with the default lease (15s,
// renewed every 5s). It reports seconds per failover.
func BenchmarkFailover(b *testing.B) {
	url := pg.Database(b)
	bin := buildAccord(b)
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "slos.yaml"), []byte(replicaSpec), 0o644); err != nil {
		b.Fatal(err)
	}
	start := func() *replica {
		addr := testenv.FreeAddr(b)
		p := testenv.Start(b, dir, bin, "serve", "--config", "slos.yaml", "--database", url, "--addr", addr, "--token", "t0ken")
		testenv.WaitHTTP(b, "http://"+addr+"/readyz", 60*time.Second)
		return &replica{addr: addr, proc: p}
	}
	rs := []*replica{start(), start()}
	var total time.Duration
	for b.Loop() {
		testenv.WaitFor(b, 60*time.Second, "one leader", func() bool { return len(leaders(rs)) == 1 })
		i := leaders(rs)[0]
		killed := time.Now()
		rs[i].dead.Store(true)
		_ = rs[i].proc.Cmd.Process.Signal(syscall.SIGKILL)
		_ = rs[i].proc.Cmd.Wait()
		testenv.WaitFor(b, 60*time.Second, "the other replica to lead", func() bool { return len(leaders(rs)) == 1 })
		total += time.Since(killed)
		rs[i] = start() // the next round's follower
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/failover")
}
