package postgres_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/postgres"
)

// commitCutter is a TCP proxy to PostgreSQL that, while armed, passes a
// transaction's COMMIT on to the server and then drops the client's
// connection before the answer: the server commits, the client sees its
// connection lost during COMMIT.
type commitCutter struct {
	armed atomic.Bool
	cuts  atomic.Int32
	mu    sync.Mutex
	conns []net.Conn
}

// commitMsg is COMMIT as pgx sends it: a simple query message.
var commitMsg = []byte("Q\x00\x00\x00\x0bcommit\x00")

// throughCutter returns the database URL through a new commitCutter.
func throughCutter(t *testing.T, dbURL string) (string, *commitCutter) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &commitCutter{}
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, c := range p.conns {
			c.Close()
		}
	})
	server := u.Host
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			db, err := net.Dial("tcp", server)
			if err != nil {
				client.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, client, db)
			p.mu.Unlock()
			go p.pipe(client, db)
		}
	}()
	u.Host = ln.Addr().String()
	return u.String(), p
}

func (p *commitCutter) pipe(client, db net.Conn) {
	go func() {
		io.Copy(client, db) // until either side is done
		client.Close()
		io.Copy(io.Discard, db) // a cut off COMMIT's answer goes nowhere
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			if _, werr := db.Write(buf[:n]); werr != nil {
				client.Close()
				return
			}
			if bytes.Contains(buf[:n], commitMsg) && p.armed.CompareAndSwap(true, false) {
				p.cuts.Add(1)
				client.Close() // the server keeps its side and commits
				return
			}
		}
		if err != nil {
			db.Close()
			return
		}
	}
}

// cutCommit is a leader's store whose connection drops during the COMMIT
// of the first judged slices it stores.
type cutCommit struct {
	*postgres.Store
	cutter *commitCutter
	done   bool
}

func (c *cutCommit) AddSlices(ctx context.Context, slices []engine.Count) error {
	if !c.done {
		c.done = true
		c.cutter.armed.Store(true)
		defer c.cutter.armed.Store(false)
	}
	return c.Store.AddSlices(ctx, slices)
}

// TestSlicesCommittedAsTheConnectionDropsAreCountedOnce has the leader
// lose its connection during the COMMIT of the slices it judged, after
// the server took the COMMIT: the slices are stored. The store finds out
// that they are and reports them stored, so the leader does not judge
// and store them again, and every slice is counted once.
func TestSlicesCommittedAsTheConnectionDropsAreCountedOnce(t *testing.T) {
	ctx := context.Background()
	dbURL := pg.Database(t)
	proxied, cutter := throughCutter(t, dbURL)
	s := mustOpen(t, proxied)
	t0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(t0.Add(10 * time.Minute))
	e := engine.New(engine.Options{Catalog: judgedSlicesCatalog(t), Store: &cutCommit{Store: s, cutter: cutter}, Clock: clock})
	if err := e.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Campaign(ctx, time.Minute); err != nil || !ok {
		t.Fatalf("campaign: %v, %v", ok, err)
	}
	var events []engine.Event
	for m := range 10 {
		one := 1.0
		for _, stream := range []string{"a", "b"} {
			events = append(events, engine.Event{Stream: stream, Time: t0.Add(time.Duration(m) * time.Minute), Good: &one, Total: &one})
		}
	}
	if err := e.Ingest(ctx, events); err != nil {
		t.Fatal(err)
	}
	clock.Set(t0.Add(13 * time.Minute)) // the slice is ready to judge
	if err := e.Evaluate(ctx); err != nil {
		t.Errorf("evaluation whose slices committed as the connection dropped: %v; want them reported stored", err)
	}
	if n := cutter.cuts.Load(); n != 1 {
		t.Fatalf("%d COMMITs cut off; the test cuts one", n)
	}
	clock.Set(t0.Add(14 * time.Minute))
	if err := e.Evaluate(ctx); err != nil { // judges again whatever it took back
		t.Fatal(err)
	}

	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	stored := storedSlices(t, conn)
	one := engine.Counts{Good: 1, Total: 1}
	for _, id := range []string{"stores/a", "stores/b", "stores/both"} {
		if stored[id] != one {
			t.Errorf("%s: stored slices %+v, want the one good slice once", id, stored[id])
		}
		if v, _ := e.SLO(id); v.Status.Counts != one {
			t.Errorf("%s: the leader counts %+v, want the one good slice once", id, v.Status.Counts)
		}
	}
}
