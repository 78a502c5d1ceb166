package postgres

import (
	"context"
	"net"
	"testing"
	"time"
)

// TestOpenGivesUpOnAServerThatDoesNotAnswer: a host that takes the
// connection and never answers fails Open within the connect timeout
// instead of holding start-up.
func TestOpenGivesUpOnAServerThatDoesNotAnswer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	defer func(d time.Duration) { connectTimeout = d }(connectTimeout)
	connectTimeout = 200 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		s, err := Open(ctx, "postgres://accord:secret@"+ln.Addr().String()+"/accord?sslmode=disable")
		if s != nil {
			s.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Open succeeded against a server that never answers")
		}
	case <-ctx.Done():
		t.Fatal("Open still waiting after 10 s on a server that never answers")
	}
}
