package awsevent

import (
	"context"
	"sync"
)

// Queue hands a service's events to a [Sink] on its own goroutine, in order, so the service
// never waits for the bus (and may put events while holding its own locks). Flush waits until
// everything put so far was handed over: the local stack's Settle relies on it. The queue is
// unbounded: the bus is in-process and fast.
type Queue struct {
	sink    Sink
	onError func(Event, error)

	mu      sync.Mutex
	queue   []Event
	busy    bool          // the goroutine is running
	idle    chan struct{} // closed when the queue is empty and nothing is in flight
	stopped bool
}

// NewQueue returns an empty queue to sink; onError (nil: none) hears of an event the sink
// refused.
func NewQueue(sink Sink, onError func(Event, error)) *Queue {
	idle := make(chan struct{})
	close(idle)
	return &Queue{sink: sink, onError: onError, idle: idle}
}

// Put queues ev; it never blocks on the bus. After Stop it does nothing.
func (q *Queue) Put(ev Event) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.stopped {
		return
	}
	q.queue = append(q.queue, ev)
	if !q.busy {
		q.busy = true
		q.idle = make(chan struct{})
		go q.run()
	}
}

func (q *Queue) run() {
	for {
		q.mu.Lock()
		if len(q.queue) == 0 {
			q.busy = false
			close(q.idle)
			q.mu.Unlock()
			return
		}
		ev := q.queue[0]
		q.queue = q.queue[1:]
		q.mu.Unlock()
		if err := q.sink.PutAWSEvent(context.Background(), ev); err != nil && q.onError != nil {
			q.onError(ev, err)
		}
	}
}

// Flush waits until every event put so far was handed to the sink, or ctx ends.
func (q *Queue) Flush(ctx context.Context) error {
	q.mu.Lock()
	idle := q.idle
	q.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stop refuses further events; Flush still waits for the queued ones.
func (q *Queue) Stop() {
	q.mu.Lock()
	q.stopped = true
	q.mu.Unlock()
}
