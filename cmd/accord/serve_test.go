package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/testenv"
)

// built is the accord binary the tests run, compiled once.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// buildAccord compiles the accord binary into a temporary directory, once
// for all the tests that run it.
func buildAccord(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "accord-bin-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "accord")
		if out, err := exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

const killSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform}
  slos:
    - name: receipts
      objective: 99.5
      window: 7d
      indicator: {ratio: {stream: receipts}}
      groupBy: [store]
`

// serve starts accord serve as a child process and waits until it is ready.
func serve(t *testing.T, bin, dir, addr string) *testenv.Process {
	t.Helper()
	return serveWithin(t, bin, dir, addr, 30*time.Second, "--eval-interval", "1s")
}

// serveWithin starts accord serve with more flags and waits up to wait
// until it is ready.
func serveWithin(t *testing.T, bin, dir, addr string, wait time.Duration, flags ...string) *testenv.Process {
	t.Helper()
	p := testenv.Start(t, dir, bin, append([]string{"serve", "--config", "slos.yaml", "--data-dir", "data",
		"--addr", addr, "--token", "t0ken"}, flags...)...)
	testenv.WaitHTTP(t, "http://"+addr+"/readyz", wait)
	return p
}

// TestKillNineLosesNoAcknowledgedEvent pushes events from several clients
// into a real accord serve, kills it with SIGKILL mid-stream, restarts it
// and checks every acknowledged event was counted.
func TestKillNineLosesNoAcknowledgedEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildAccord(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "slos.yaml"), []byte(killSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := testenv.FreeAddr(t)
	p := serve(t, bin, dir, addr)

	var acked, sent atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var body bytes.Buffer
				for j := 0; j < 100; j++ {
					fmt.Fprintf(&body, `{"stream":"receipts","labels":{"store":"s%d"},"outcome":"good"}`+"\n", c)
				}
				sent.Add(100)
				req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/events", &body)
				req.Header.Set("Authorization", "Bearer t0ken")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return // the server is gone
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusAccepted {
					acked.Add(100)
				}
			}
		}(c)
	}
	testenv.WaitFor(t, 30*time.Second, "some acknowledged events", func() bool { return acked.Load() >= 5000 })
	if err := p.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.Cmd.Wait()
	close(stop)
	wg.Wait()

	serve(t, bin, dir, addr)
	var total float64
	testenv.WaitFor(t, 30*time.Second, "the restarted server to count events", func() bool {
		total = receiptsCounted(addr)
		return total > 0
	})
	if total < float64(acked.Load()) {
		t.Errorf("after kill -9 the server counts %v events, fewer than the %d acknowledged", total, acked.Load())
	}
	if total > float64(sent.Load()) {
		t.Errorf("the server counts %v events, more than the %d sent", total, sent.Load())
	}
	t.Logf("acknowledged %d, sent %d, counted after restart %v", acked.Load(), sent.Load(), total)
}

func TestStatusPrintsWorstFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildAccord(t)
	dir := t.TempDir()
	spec := strings.Replace(killSpec, "      groupBy: [store]\n", "", 1) + `    - name: payments
      objective: 99
      window: 7d
      indicator: {ratio: {stream: payments}}
`
	if err := os.WriteFile(filepath.Join(dir, "slos.yaml"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := testenv.FreeAddr(t)
	serve(t, bin, dir, addr)
	body := `{"stream":"payments","good":95,"total":100}` + "\n" + `{"stream":"receipts","good":999,"total":1000}`
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/events", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer t0ken")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("push: %v %v", err, resp)
	}
	var out string
	testenv.WaitFor(t, 10*time.Second, "accord status to show both SLOs with data", func() bool {
		o, err := exec.Command(bin, "status", "--server", "http://"+addr).CombinedOutput()
		out = string(o)
		return err == nil && !strings.Contains(out, "no data")
	})
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "checkout/payments") || !strings.Contains(lines[1], "budget exhausted") ||
		!strings.Contains(lines[2], "80%") || !strings.Contains(lines[1], "95.000%") {
		t.Errorf("accord status printed:\n%s\nwant payments (exhausted, 95%% SLI) above receipts (80%% left)", out)
	}
}

// pushReceipts posts n good receipt events of one store.
func pushReceipts(t *testing.T, addr string, n int) *http.Response {
	t.Helper()
	var body strings.Builder
	for i := 0; i < n; i++ {
		body.WriteString(`{"stream":"receipts","labels":{"store":"s1"},"outcome":"good"}` + "\n")
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/events", strings.NewReader(body.String()))
	req.Header.Set("Authorization", "Bearer t0ken")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(strings.NewReader(string(b)))
	return resp
}

// waitCounted waits until the server counts want receipt events.
func waitCounted(t *testing.T, addr string, want float64) {
	t.Helper()
	var total float64
	testenv.WaitFor(t, 30*time.Second, fmt.Sprintf("the server to count %v events", want), func() bool {
		total = receiptsCounted(addr)
		return total >= want
	})
	if total != want {
		t.Errorf("the server counts %v events, want exactly %v", total, want)
	}
}

// receiptsCounted is what the server's checkout/receipts SLO counts at its
// last evaluation; 0 when it does not answer.
func receiptsCounted(addr string) float64 {
	resp, err := http.Get("http://" + addr + "/api/v1/slos/checkout/receipts")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var v struct {
		Status struct {
			Counts struct{ Total float64 } `json:"counts"`
		} `json:"status"`
	}
	if json.NewDecoder(resp.Body).Decode(&v) != nil {
		return 0
	}
	return v.Status.Counts.Total
}
