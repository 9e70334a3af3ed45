package eventpattern

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// matcherState keeps the current snapshot behind an atomic pointer. Writers take the mutex,
// build a new snapshot from the old one's rules and publish it; readers load the pointer and
// never block. A write costs a re-index of every rule, which is cheap next to how rarely rules
// change and keeps matching free of locks.
type matcherState struct {
	mu   sync.Mutex
	snap atomic.Pointer[snapshot]
}

func (m *matcherState) init() {
	m.snap.Store(buildSnapshot(nil, nil))
}

func (m *matcherState) add(name string, pattern []byte) error {
	if name == "" {
		return errors.New("add rule: the rule name is empty")
	}
	r, err := compileRule(pattern)
	if err != nil {
		return fmt.Errorf("add rule %s: %w", name, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.snap.Load()
	names := slices.Clone(old.names)
	rules := slices.Clone(old.rules)
	i, found := slices.BinarySearch(names, name)
	if found {
		rules[i] = r
	} else {
		names = slices.Insert(names, i, name)
		rules = slices.Insert(rules, i, r)
	}
	m.snap.Store(buildSnapshot(names, rules))
	return nil
}

func (m *matcherState) remove(name string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.snap.Load()
	i, found := slices.BinarySearch(old.names, name)
	if !found {
		return false
	}
	names := slices.Delete(slices.Clone(old.names), i, i+1)
	rules := slices.Delete(slices.Clone(old.rules), i, i+1)
	m.snap.Store(buildSnapshot(names, rules))
	return true
}

func (m *matcherState) match(event []byte) ([]string, error) {
	s := m.snap.Load()
	st := s.pool.Get().(*eventState)
	defer s.pool.Put(st)
	hits, err := s.match(st, event)
	if err != nil {
		return nil, fmt.Errorf("match event: %w", err)
	}
	if len(hits) == 0 {
		return nil, nil
	}
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = s.names[h]
	}
	return out, nil
}

func (m *matcherState) len() int { return len(m.snap.Load().names) }
