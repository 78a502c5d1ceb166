package sqlite

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
// until eight times the pages the writer's own checkpoint waits for have
// passed through the WAL (a quarter of the usual, so the test is quick),
// and has the checkpointer run after each round, as its ticks do between
// a steady stream of commits. The WAL file never grows past four times
// what the writer's checkpoint lets it hold; without the checkpointer's
// help it grows with every round. (With passive checkpoints only, as
// before, it grew to 16–23 MB with five times the pages through it: the
// steady reader kept SQLite from ever starting the WAL again.)
func TestTheCheckpointerKeepsTheWALSmallUnderASteadyReader(t *testing.T) {
	ctx := context.Background()
	const pages = autoCheckpoint / 4
	s, err := OpenWith(t.TempDir(), Options{autoCheckpoint: pages})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
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

	const bound = 4 * pages * (4096 + 24) // bytes: pages and their frame headers
	var written, largest int64            // frames, bytes
	last := int64(0)
	for ; written < 8*pages; round.Add(1) {
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

// TestALongReaderIsNotWaitedForEverySecond holds a read transaction open
// across twenty ticks of the checkpointer with a WAL past restartFrames:
// emptying the WAL, which holds the writer while it waits for readers, is
// tried at the first four ticks, then after skipping 1, 3 and 7 ticks,
// not at every tick; once the reader ends, the next try empties the WAL.
func TestALongReaderIsNotWaitedForEverySecond(t *testing.T) {
	ctx := context.Background()
	// Only the ticks the test asks for, and a small WAL to fill.
	s, err := OpenWith(t.TempDir(), Options{checkpointEvery: time.Hour, autoCheckpoint: 256})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.ckpt.restartWait = time.Millisecond
	reader, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Rollback()
	var n int
	if err := reader.QueryRow(`SELECT COUNT(*) FROM series`).Scan(&n); err != nil { // takes its snapshot
		t.Fatal(err)
	}
	// Filled past restartFrames, measured by a passive checkpoint outside
	// the checkpointer.
	for res := s.checkpointAs(ctx, s.read, "PASSIVE"); res.frames < s.ckpt.restartFrames(); res = s.checkpointAs(ctx, s.read, "PASSIVE") {
		if err := s.AddCounts(ctx, manyCounts(5000)); err != nil {
			t.Fatal(err)
		}
	}
	var tried []int
	for tick := 1; tick <= 20; tick++ {
		res := checkpointNow(s)
		if res.err != nil {
			t.Fatal(res.err)
		}
		if res.emptying {
			tried = append(tried, tick)
			if !res.busy {
				t.Fatalf("tick %d emptied the WAL under a reader that began before it", tick)
			}
		}
	}
	if want := []int{1, 2, 3, 4, 6, 10, 18}; !slices.Equal(tried, want) {
		t.Errorf("under a long reader, emptying the WAL was tried at ticks %v, want %v", tried, want)
	}
	reader.Rollback()
	for tick := 1; ; tick++ {
		if res := checkpointNow(s); res.emptying {
			if res.busy || res.frames != 0 {
				t.Errorf("once the reader ended, emptying the WAL: busy %v, %d frames left", res.busy, res.frames)
			}
			break
		}
		if tick > 32 {
			t.Fatal("once the reader ended, no try to empty the WAL within 32 ticks")
		}
	}
}
