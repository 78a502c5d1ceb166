package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/testenv"
)

// TestSIGHUPReloadsTheSpecs edits the specs of a running accord serve and
// sends SIGHUP: an added SLO appears and the others keep their counts; a
// broken spec is logged and refused, and the server goes on with the SLOs
// it has.
func TestSIGHUPReloadsTheSpecs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildAccord(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "slos.yaml")
	if err := os.WriteFile(spec, []byte(killSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := testenv.FreeAddr(t)
	p := serve(t, bin, dir, addr)
	if resp := pushReceipts(t, addr, 25); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("push: %d", resp.StatusCode)
	}
	waitCounted(t, addr, 25)

	added := killSpec + "    - {name: payments, objective: 99.9, window: 7d, indicator: {ratio: {stream: payments}}}\n"
	if err := os.WriteFile(spec, []byte(added), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := p.Cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	testenv.WaitHTTP(t, "http://"+addr+"/api/v1/slos/checkout/payments", 10*time.Second)
	waitCounted(t, addr, 25)

	if err := os.WriteFile(spec, []byte(strings.Replace(added, "objective: 99.9", "objective: 199.9", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := p.Cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 10*time.Second, "the refused reload in the log", func() bool {
		return strings.Contains(p.Output(), "reload refused; the running SLOs stay")
	})
	if !strings.Contains(p.Output(), "slos.yaml:12") {
		t.Errorf("the log does not name the broken line:\n%s", p.Output())
	}
	testenv.WaitHTTP(t, "http://"+addr+"/api/v1/slos/checkout/payments", 10*time.Second)
	if p.Cmd.ProcessState != nil {
		t.Fatal("the server ended on SIGHUP")
	}
}
