package serving

import (
	"context"
	"sync"
)

// Endpoint is an endpoint's running state: the fleet serving it and, during a blue/green
// update, the new fleet with its share of traffic. Its methods are safe for concurrent use.
type Endpoint struct {
	name   string
	ctx    context.Context
	cancel context.CancelFunc

	mu        sync.RWMutex
	active    *Fleet
	next      *Fleet
	nextShare float64
	stopped   bool // StopAll ran: fleets started later must be stopped by their starter
}

// NewEndpoint returns the running state of a new endpoint, serving nothing yet.
func NewEndpoint(name string) *Endpoint {
	ctx, cancel := context.WithCancel(context.Background())
	return &Endpoint{name: name, ctx: ctx, cancel: cancel}
}

// Name returns the endpoint's name.
func (e *Endpoint) Name() string { return e.name }

// Context is done once the endpoint is deleted or the service closes ([Endpoint.Cancel]).
func (e *Endpoint) Context() context.Context { return e.ctx }

// Cancel ends the endpoint's context: waits for /ping and deployments in progress stop.
func (e *Endpoint) Cancel() { e.cancel() }

// Current returns the fleet serving the endpoint (nil before the first one answers /ping).
func (e *Endpoint) Current() *Fleet {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.active
}

// Fleets returns the active fleet and the new one of an update in progress.
func (e *Endpoint) Fleets() (active, next *Fleet) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.active, e.next
}

// Install makes f the active fleet (or, with next, the new one at no traffic); it returns
// false, installing nothing, when the endpoint's fleets were already stopped.
func (e *Endpoint) Install(f *Fleet, next bool) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return false
	}
	if next {
		e.next, e.nextShare = f, 0
	} else {
		e.active = f
	}
	return true
}

// SetShare gives the new fleet share (0–1) of the traffic.
func (e *Endpoint) SetShare(share float64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.nextShare = share
}

// Promote makes the new fleet the active one and returns the old one, for the caller to stop.
func (e *Endpoint) Promote() (old *Fleet) {
	e.mu.Lock()
	defer e.mu.Unlock()
	old = e.active
	e.active, e.next, e.nextShare = e.next, nil, 0
	return old
}

// DropNext sends all traffic back to the active fleet and forgets the new one.
func (e *Endpoint) DropNext() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.next, e.nextShare = nil, 0
}

// StopAll stops every fleet of the endpoint; fleets installed later are refused.
func (e *Endpoint) StopAll() {
	for _, f := range e.takeAll() {
		if f != nil {
			f.Stop()
		}
	}
}

func (e *Endpoint) takeAll() []*Fleet {
	e.mu.Lock()
	defer e.mu.Unlock()
	fs := []*Fleet{e.active, e.next}
	e.active, e.next, e.nextShare = nil, nil, 0
	e.stopped = true
	return fs
}

// Pick chooses the fleet and variant for one request from r in [0,1): the new fleet with
// probability of its share, then a variant by weight. target names a variant to use instead
// (nil variant when the fleet has none of that name). A nil fleet means nothing serves.
func (e *Endpoint) Pick(r float64, target string) (*Fleet, *Variant) {
	e.mu.RLock()
	active, next, share := e.active, e.next, e.nextShare
	e.mu.RUnlock()
	f := active
	if next != nil && (active == nil || r < share) {
		f = next
		if share > 0 {
			r /= share
		}
	} else if next != nil && share < 1 {
		r = (r - share) / (1 - share)
	}
	if f == nil || len(f.variants) == 0 {
		return nil, nil
	}
	if target != "" {
		return f, f.named(target)
	}
	return f, f.byWeight(r)
}

func (f *Fleet) named(name string) *Variant {
	for _, v := range f.variants {
		if v.Name == name {
			return v
		}
	}
	return nil
}

func (f *Fleet) byWeight(r float64) *Variant {
	if f.total <= 0 {
		return f.variants[0]
	}
	x := r * f.total
	for _, v := range f.variants {
		if x < v.Weight {
			return v
		}
		x -= v.Weight
	}
	return f.variants[len(f.variants)-1]
}

// Endpoints is the set of endpoints with running state, by name. Its methods are safe for
// concurrent use; its lock is its own, so lookups on the hot path wait on nothing else.
type Endpoints struct {
	mu sync.RWMutex
	m  map[string]*Endpoint
}

// NewEndpoints returns an empty set.
func NewEndpoints() *Endpoints { return &Endpoints{m: map[string]*Endpoint{}} }

// Get returns the endpoint's running state, or nil.
func (s *Endpoints) Get(name string) *Endpoint {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m[name]
}

// Set installs (or, with nil, removes) an endpoint's running state.
func (s *Endpoints) Set(name string, e *Endpoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e == nil {
		delete(s.m, name)
		return
	}
	s.m[name] = e
}

// All returns every endpoint's running state, in no order.
func (s *Endpoints) All() []*Endpoint {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Endpoint, 0, len(s.m))
	for _, e := range s.m {
		out = append(out, e)
	}
	return out
}
