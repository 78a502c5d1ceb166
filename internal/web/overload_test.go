package web

import (
	"context"
	"testing"
	"time"
)

// TestBudgetClaimsAreGrantedInTurn: a large claim that waits is not passed
// by small ones that come after it, and it is granted once room is given
// back; a claim that gives up lets those behind it through.
func TestBudgetClaimsAreGrantedInTurn(t *testing.T) {
	b := &byteBudget{max: 100}
	if !b.take(60) {
		t.Fatal("60 of 100: refused")
	}
	large := make(chan bool)
	go func() { large <- b.wait(context.Background(), 80, time.Minute) }()
	for b.waitingNow() != 1 { // the goroutine queues at once; no clock involved
		time.Sleep(time.Millisecond)
	}
	if b.take(10) {
		t.Error("a small claim passed the large one waiting before it")
	}
	ctx, cancel := context.WithCancel(context.Background())
	small := make(chan bool)
	go func() { small <- b.wait(ctx, 10, time.Minute) }()
	for b.waitingNow() != 2 {
		time.Sleep(time.Millisecond)
	}
	b.give(60)
	if !<-large {
		t.Fatal("the large claim was not granted once room was given back")
	}
	if b.inUse() != 90 || b.waitingNow() != 0 {
		t.Errorf("in use %v, waiting %v; want 90 (the large and the small claim), none waiting", b.inUse(), b.waitingNow())
	}
	if !<-small {
		t.Error("the small claim behind it was not granted")
	}
	cancel()

	// One claim larger than the whole budget is granted when nothing is held.
	b = &byteBudget{max: 100}
	if !b.take(150) || b.take(1) {
		t.Error("a claim over the budget with nothing held: want it granted, and nothing after it")
	}
	b.give(150)
	if !b.take(1) {
		t.Error("a claim once the oversize one was given back: refused")
	}

	// A waiting claim that gives up lets the claims behind it through.
	b = &byteBudget{max: 100}
	b.take(50)
	ctx, cancel = context.WithCancel(context.Background())
	gaveUp := make(chan bool)
	go func() { gaveUp <- b.wait(ctx, 80, time.Minute) }()
	for b.waitingNow() != 1 {
		time.Sleep(time.Millisecond)
	}
	behind := make(chan bool)
	go func() { behind <- b.wait(context.Background(), 40, time.Minute) }()
	for b.waitingNow() != 2 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if <-gaveUp {
		t.Error("a cancelled claim was granted")
	}
	if !<-behind {
		t.Error("the claim behind a cancelled one was not granted though it fits")
	}
}
