package sqlite

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/accord-slo/accord/internal/engine"
)

// checkpointNow has the checkpointer run a checkpoint at once, as at a
// tick, and returns what it did.
func checkpointNow(s *Store) checkpointResult {
	reply := make(chan checkpointResult)
	s.ckpt.now <- reply
	return <-reply
}

// walFileBytes is the size of the WAL file.
func walFileBytes(t *testing.T, s *Store) int64 {
	t.Helper()
	fi, err := os.Stat(s.path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestTheCheckpointerKeepsTheWALSmallUnderASteadyReader commits and
// merges counts, with a reader reading the newest counts all the while,
// until more pages than the writer's own checkpoint waits for have passed
// through the WAL, and has the checkpointer run after each round, as its
// ticks do between a steady stream of commits. The WAL file never grows
// past three quarters of what the writer's checkpoint alone lets it hold,
// where it would go without the checkpointer. (With passive checkpoints
// only, as before, it grew to 35 MB here: the steady reader kept SQLite
// from ever starting the WAL again.)
func TestTheCheckpointerKeepsTheWALSmallUnderASteadyReader(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())
	stop := make(chan struct{})
	var round atomic.Int64
	var reads sync.WaitGroup
	reads.Add(1)
	go func() {
		defer reads.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			// The counts of the last round's minutes, as an API read.
			from := 1000 + 100*round.Load()
			if err := s.LoadCounts(ctx, from, func(engine.Count) error { return nil }); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	defer func() { close(stop); reads.Wait() }()

	const bound = autoCheckpoint * 4096 * 3 / 4 // bytes
	var written, largest int64                  // frames, bytes
	last := int64(0)
	for ; written < autoCheckpoint+autoCheckpoint/4; round.Add(1) {
		round := int(round.Load())
		// 10,000 counts of 100 series: a pending row of about 60 pages,
		// and merges now and then.
		batch := make([]engine.Count, 0, 10_000)
		for i := range 10_000 {
			batch = append(batch, count(fmt.Sprintf("a/s%d", i%100), "{}", int64(1000+round*100+i/100), 1, 2))
		}
		if err := s.AddCounts(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if err := s.Flush(ctx); err != nil { // as the merger would
			t.Fatal(err)
		}
		res := checkpointNow(s)
		if res.err != nil {
			t.Fatal(res.err)
		}
		// The WAL holds the frames written since it last started again:
		// fewer than before means it started again in between.
		if res.frames < last {
			written += res.frames
		} else {
			written += res.frames - last
		}
		last = res.frames
		largest = max(largest, walFileBytes(t, s))
		if round > 1000 {
			t.Fatalf("%d rounds wrote only %d frames", round, written)
		}
	}
	if largest > bound {
		t.Errorf("with the checkpointer running after every commit, the WAL file grew to %d bytes, want at most %d (%d frames passed through it)",
			largest, bound, written)
	}
	t.Logf("%d frames through a WAL of at most %d bytes", written, largest)
}
