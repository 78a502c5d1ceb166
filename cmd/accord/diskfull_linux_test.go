//go:build linux

package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/accord-slo/accord/internal/testenv"
)

// setFileSizeLimit sets the soft RLIMIT_FSIZE of a running process. At 0
// every write to a regular file fails (EFBIG), as on a full disk, for root
// too and without mounting anything; the hard limit stays, so any user may
// raise it again.
func setFileSizeLimit(t *testing.T, pid int, soft uint64) {
	t.Helper()
	var old syscall.Rlimit
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), syscall.RLIMIT_FSIZE, 0,
		uintptr(unsafe.Pointer(&old)), 0, 0); errno != 0 {
		t.Fatalf("read the file size limit of %d: %v", pid, errno)
	}
	lim := syscall.Rlimit{Cur: min(soft, old.Max), Max: old.Max}
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), syscall.RLIMIT_FSIZE,
		uintptr(unsafe.Pointer(&lim)), 0, 0, 0); errno != 0 {
		t.Fatalf("set the file size limit of %d to %d: %v", pid, soft, errno)
	}
}

// TestFullDiskAnswersUnavailableAndLosesNothing fills the disk of a real
// accord serve (its file size limit at zero): ingest answers 503 with
// Retry-After, /readyz 503, reads still work; when space returns it is
// ready again without a restart, and after kill -9 every acknowledged
// event is there and no refused one.
func TestFullDiskAnswersUnavailableAndLosesNothing(t *testing.T) {
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
	if resp := pushReceipts(t, addr, 30); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("push before the disk fills: %d", resp.StatusCode)
	}

	setFileSizeLimit(t, p.Cmd.Process.Pid, 0)
	resp := pushReceipts(t, addr, 7)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
		!strings.Contains(string(body), `"code": "unavailable"`) || !strings.Contains(string(body), "disk full") {
		t.Errorf("push on a full disk: %d Retry-After %q %s, want 503 with Retry-After saying the disk is full",
			resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	ready, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(ready.Body)
	ready.Body.Close()
	if ready.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "cannot be written") {
		t.Errorf("/readyz on a full disk: %d %s, want 503", ready.StatusCode, body)
	}
	if r, err := http.Get("http://" + addr + "/api/v1/slos"); err != nil || r.StatusCode != 200 {
		t.Errorf("reads on a full disk: %v %v, want 200", r, err)
	}
	// Every other write needs the disk too: 503 with Retry-After, never 500.
	for _, w := range []struct{ path, body string }{
		{"/api/v1/annotations", `{"service": "checkout", "kind": "deploy", "text": "v2"}`},
		{"/api/v1/tokens", `{"name": "ci", "role": "ingest"}`},
	} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+w.path, strings.NewReader(w.body))
		req.Header.Set("Authorization", "Bearer t0ken")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), `"code": "unavailable"`) {
			t.Errorf("POST %s on a full disk: %d Retry-After %q %s, want 503 with Retry-After", w.path, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	if r, err := http.Get("http://" + addr + "/api/v1/gate?service=checkout"); err != nil || r.StatusCode != 200 {
		t.Errorf("the gate on a full disk: %v %v, want 200 (it only reads)", r, err)
	}

	setFileSizeLimit(t, p.Cmd.Process.Pid, ^uint64(0))
	testenv.WaitHTTP(t, "http://"+addr+"/readyz", 10*time.Second)
	if resp := pushReceipts(t, addr, 10); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("push once space returned: %d", resp.StatusCode)
	}
	waitCounted(t, addr, 40)

	if err := p.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.Cmd.Wait()
	serve(t, bin, dir, addr)
	waitCounted(t, addr, 40)
}
