package app_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/accord-slo/accord/internal/app"
)

// get answers a GET: its status and body.
func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// TestProfilingIsOffUnlessAsked: without --debug-addr no profile is served,
// not on the main listener either.
func TestProfilingIsOffUnlessAsked(t *testing.T) {
	a := startApp(t, app.Options{SpecPaths: []string{writeSpec(t, paymentsSpec)}, DataDir: t.TempDir(), Addr: "127.0.0.1:0", Token: "tok"})
	defer a.Close()
	if u := a.DebugURL(); u != "" {
		t.Errorf("DebugURL is %q without DebugAddr, want none", u)
	}
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/profile?seconds=1"} {
		if code, _ := get(t, a.URL()+path); code != http.StatusNotFound && code != http.StatusUnauthorized {
			t.Errorf("GET %s on the main listener: %d, want 404", path, code)
		}
	}
}

// TestProfilingServesProfilesOnItsOwnLoopbackListener: with DebugAddr
// ":0" the profiles are served on loopback: a CPU profile of one second
// (gzipped protobuf) and the heap profile; a profile longer than the
// bound is refused, and the command line (which may hold secrets) is not
// served.
func TestProfilingServesProfilesOnItsOwnLoopbackListener(t *testing.T) {
	a := startApp(t, app.Options{SpecPaths: []string{writeSpec(t, paymentsSpec)}, DataDir: t.TempDir(), Addr: "127.0.0.1:0", Token: "tok",
		DebugAddr: ":0"})
	defer a.Close()
	base := a.DebugURL()
	host, _, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimSuffix(base, "/debug/pprof/"), "http://"))
	if err != nil || !net.ParseIP(host).IsLoopback() {
		t.Fatalf("DebugURL %q with DebugAddr \":0\": want a loopback address (%v)", base, err)
	}
	code, body := get(t, base+"profile?seconds=1")
	if code != http.StatusOK {
		t.Fatalf("CPU profile: %d %s", code, body)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the CPU profile is not gzipped: %v", err)
	}
	if raw, err := io.ReadAll(zr); err != nil || len(raw) == 0 {
		t.Errorf("the CPU profile unzips to %d bytes: %v", len(raw), err)
	}
	if code, body := get(t, base+"heap"); code != http.StatusOK || len(body) == 0 {
		t.Errorf("heap profile: %d, %d bytes", code, len(body))
	}
	if code, body := get(t, base); code != http.StatusOK || !strings.Contains(string(body), "goroutine") {
		t.Errorf("index: %d %s", code, body)
	}
	if code, body := get(t, base+"profile?seconds=3600"); code != http.StatusBadRequest || !strings.Contains(string(body), "60") {
		t.Errorf("an hour's CPU profile: %d %s, want 400 naming the bound", code, body)
	}
	if code, _ := get(t, base+"cmdline"); code != http.StatusNotFound {
		t.Errorf("cmdline: %d, want 404 (the command line may hold --token)", code)
	}
	if code, _ := get(t, a.URL()+"/debug/pprof/heap"); code != http.StatusNotFound && code != http.StatusUnauthorized {
		t.Errorf("the heap profile on the main listener: %d, want it served on the debug listener only", code)
	}
}
