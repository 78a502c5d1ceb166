package app_test

import (
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
)

// TestTheSQLiteCheckpointerIsOnMetrics: an operator sees the WAL's size
// and the checkpointer's failures and last success on /metrics.
func TestTheSQLiteCheckpointerIsOnMetrics(t *testing.T) {
	a := startApp(t, app.Options{SpecPaths: []string{writeSpec(t, paymentsSpec)}, DataDir: t.TempDir(), Addr: "127.0.0.1:0", Token: "tok"})
	defer a.Close()
	postEvents(t, a, `{"stream":"payments","time":"`+time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)+`","good":9,"total":10}`)
	if n := scrapeMetric(t, a.URL(), "accord_sqlite_checkpoint_failures_total"); n != 0 {
		t.Errorf("accord_sqlite_checkpoint_failures_total is %g on a healthy disk, want 0", n)
	}
	if n := scrapeMetric(t, a.URL(), "accord_sqlite_wal_bytes"); n <= 0 {
		t.Errorf("accord_sqlite_wal_bytes is %g after a write, want the WAL's size", n)
	}
	scrapeMetric(t, a.URL(), "accord_sqlite_checkpoint_last_success_timestamp_seconds") // fails the test when missing
}
