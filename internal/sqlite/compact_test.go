package sqlite

import (
	"testing"

	"github.com/accord-slo/accord/internal/store/storetest"
)

// TestCompactionAndPruningGoSeriesBySeries runs the shared scenario one
// transaction a series, merging pending counts before the compaction
// reads them.
func TestCompactionAndPruningGoSeriesBySeries(t *testing.T) {
	s := mustOpen(t, t.TempDir())
	s.partTime = 0 // one series a transaction
	storetest.CompactsSeriesBySeries(t, s, storetest.Parts{
		AfterPart: func(fn func()) { s.afterPart = fn },
		Settle:    s.Flush,
	})
}
