package postgres

import (
	"testing"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/store/storetest"
)

func count(slo string, minute int64, good, total float64) engine.Count {
	return engine.Count{SLO: slo, Group: "{}", Kind: engine.KindEvents, Minute: minute, Counts: engine.Counts{Good: good, Total: total}}
}

// TestCompactionAndPruningGoSeriesBySeries runs the shared scenario one
// statement a series and, between two of them, finds no transaction open.
func TestCompactionAndPruningGoSeriesBySeries(t *testing.T) {
	s := openStore(t, PG.Database(t))
	s.partSeries = 1
	storetest.CompactsSeriesBySeries(t, s, storetest.Parts{
		AfterPart: func(fn func()) { s.afterPart = fn },
		Between: func(t *testing.T) {
			var open int
			if err := s.pool.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
				AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND xact_start IS NOT NULL`).Scan(&open); err != nil {
				t.Error(err)
			}
			if open != 0 {
				t.Errorf("between two parts of a compaction %d transactions are open, want none", open)
			}
		},
	})
}
