//go:build linux

package sqlite

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/accord-slo/accord/internal/slo"
)

// logBuffer is a log destination safe for the checkpointer's goroutine.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestAFailedCheckpointIsCountedLoggedAndReported makes checkpoints fail
// as on a full disk (this process's file size limit at the database
// file's size, so copying new pages into it fails) and checks that the
// failure is counted on the metrics, logged naming the database and the
// error, and, once checkpoints have failed for the store's limit, makes
// Ping answer unavailable; and that all of it clears once a checkpoint
// succeeds again.
func TestAFailedCheckpointIsCountedLoggedAndReported(t *testing.T) {
	ctx := context.Background()
	var logs logBuffer
	reg := prometheus.NewRegistry()
	s, err := OpenWith(t.TempDir(), Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Registerer: reg,
		checkpointEvery: time.Hour}) // only the checkpoints the test asks for
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// New pages in the WAL, and none pending to merge meanwhile.
	if err := s.AddCounts(ctx, manyCounts(5000)); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.path)
	if err != nil {
		t.Fatal(err)
	}
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: uint64(fi.Size()), Max: old.Max}); err != nil {
		t.Fatal(err)
	}
	restored := false
	restore := func() {
		if !restored {
			restored = true
			if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer restore()

	res := checkpointNow(s)
	if res.err == nil {
		t.Fatal("a checkpoint that must grow the database file past the file size limit succeeded")
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping right after one failed checkpoint: %v, want nil (one failure does not stop the WAL being bounded)", err)
	}
	s.ckpt.stuckAfter = 0 // as if checkpoints had failed for the whole limit
	if err := s.Ping(ctx); slo.ErrorCode(err) != slo.CodeUnavailable || !strings.Contains(err.Error(), "not been checkpointed") {
		t.Errorf("Ping once checkpoints have failed for the limit: %v, want unavailable saying the WAL is not checkpointed", err)
	}
	if res := checkpointNow(s); res.err == nil {
		t.Fatal("the second checkpoint succeeded")
	}
	if got := metricValue(t, reg, "accord_sqlite_checkpoint_failures_total"); got != 2 {
		t.Errorf("accord_sqlite_checkpoint_failures_total %g after two failed checkpoints, want 2", got)
	}
	if got := metricValue(t, reg, "accord_sqlite_wal_bytes"); got < float64(fi.Size()/2) {
		t.Errorf("accord_sqlite_wal_bytes %g with the pages of 5,000 counts in the WAL, want them counted", got)
	}
	logged := logs.String()
	if strings.Count(logged, "checkpoint failed") != 1 || !strings.Contains(logged, s.path) || !strings.Contains(logged, "level=WARN") {
		t.Errorf("logs after two failures a moment apart:\n%s\nwant one warning naming the database", logged)
	}

	restore()
	if res := checkpointNow(s); res.err != nil {
		t.Fatalf("a checkpoint once the file may grow: %v", res.err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping after a checkpoint succeeded: %v", err)
	}
	if got := metricValue(t, reg, "accord_sqlite_checkpoint_last_success_timestamp_seconds"); got == 0 {
		t.Error("accord_sqlite_checkpoint_last_success_timestamp_seconds is 0 after a checkpoint succeeded")
	}
	if !strings.Contains(logs.String(), "checkpointed again") {
		t.Errorf("logs after the recovery:\n%s\nwant it said", logs.String())
	}
}

// metricValue is the value of the metric name (one series) in reg.
func metricValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			m := f.GetMetric()[0]
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
