package asl

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestWaitTokenIsToldWhenATaskRegistersTheToken(t *testing.T) {
	e := NewEngine(Options{})
	done := make(chan error, 1)
	go func() { done <- e.WaitToken(context.Background(), "tok") }()
	for {
		e.mu.Lock()
		n := len(e.tokenWatch["tok"])
		e.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("returned before the token was registered: %v", err)
	default:
	}
	e.registerToken("tok")
	if err := <-done; err != nil {
		t.Fatalf("got %v, want nil", err)
	}
	if err := e.WaitToken(context.Background(), "tok"); err != nil {
		t.Fatalf("a registered token: got %v, want nil at once", err)
	}
}

func TestWaitTokenGivesUpWhenTheContextEnds(t *testing.T) {
	e := NewEngine(Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := e.WaitToken(ctx, "never"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.tokenWatch) != 0 {
		t.Fatalf("a watcher outlived its context: %v", e.tokenWatch)
	}
}
