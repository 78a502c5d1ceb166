package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/testenv"
)

// exitsWithin starts accord serve with args and waits up to limit for it
// to exit; it returns the output, or fails if it still runs or exits 0.
func exitsWithin(t *testing.T, dir, bin string, limit time.Duration, args ...string) string {
	t.Helper()
	p := testenv.Start(t, dir, bin, args...)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- p.Cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("accord serve %v exited 0, want an error", args)
		}
		t.Logf("exited after %v: %v", time.Since(start).Round(10*time.Millisecond), err)
	case <-time.After(limit):
		t.Fatalf("accord serve %v still runs after %v", args, limit)
	}
	return p.Output()
}

// TestStartFailsPlainlyAndSoon: a replica started with another --token
// than the one running on the database, and one whose database does not
// answer, say so and exit non-zero within 30 s.
func TestStartFailsPlainlyAndSoon(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	url := pg.Database(t)
	bin := buildAccord(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "slos.yaml"), []byte(killSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := testenv.FreeAddr(t)
	testenv.Start(t, dir, bin, "serve", "--config", "slos.yaml", "--database", url, "--addr", addr, "--token", "t0ken", "--leader-lease", "3s")
	testenv.WaitHTTP(t, "http://"+addr+"/readyz", 60*time.Second)

	out := exitsWithin(t, dir, bin, 30*time.Second, "serve", "--config", "slos.yaml", "--database", url,
		"--addr", testenv.FreeAddr(t), "--token", "an0ther", "--leader-lease", "3s")
	if !strings.Contains(out, "runs on this database with a different bootstrap token") || strings.Contains(out, "an0ther") || strings.Contains(out, "t0ken") {
		t.Errorf("a replica with another token said:\n%s\nwant the reason, and neither token", out)
	}
	// The same token joins.
	same := testenv.FreeAddr(t)
	testenv.Start(t, dir, bin, "serve", "--config", "slos.yaml", "--database", url, "--addr", same, "--token", "t0ken", "--leader-lease", "3s")
	testenv.WaitHTTP(t, "http://"+same+"/readyz", 60*time.Second)

	out = exitsWithin(t, dir, bin, 30*time.Second, "serve", "--config", "slos.yaml", "--database",
		"postgres://accord:secret@"+testenv.Silent(t)+"/accord?sslmode=disable&connect_timeout=3", "--addr", testenv.FreeAddr(t), "--token", "t0ken")
	if !strings.Contains(out, "does not answer") || !strings.Contains(out, "--database") || strings.Contains(out, "secret") {
		t.Errorf("a replica whose database does not answer said:\n%s\nwant the reason, without the password", out)
	}
}
