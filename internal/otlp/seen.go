package otlp

import "sync"

// seen remembers the keys of recently counted items so that an item a
// retrying exporter sends again counts once. It keeps two generations of
// at most max keys each: memory is bounded, and a key is remembered for
// at least the max items counted after it.
type seen struct {
	mu       sync.Mutex
	max      int
	cur, old map[SpanKey]struct{}
}

func newSeen(max int) *seen {
	return &seen{max: max, cur: make(map[SpanKey]struct{}), old: map[SpanKey]struct{}{}}
}

// reserve marks the keys as counted and reports, per key, whether it was
// new. Keys of a batch that then fails are given back with release, so a
// concurrent resend of the same item is not counted twice meanwhile.
func (s *seen) reserve(keys []SpanKey, skip func(i int) bool) []bool {
	fresh := make([]bool, len(keys))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, k := range keys {
		if skip(i) {
			continue
		}
		if _, ok := s.cur[k]; ok {
			continue
		}
		if _, ok := s.old[k]; ok {
			continue
		}
		if len(s.cur) >= s.max {
			s.old, s.cur = s.cur, make(map[SpanKey]struct{}, s.max)
		}
		s.cur[k] = struct{}{}
		fresh[i] = true
	}
	return fresh
}

// release forgets keys whose items were not counted after all.
func (s *seen) release(keys []SpanKey) {
	if len(keys) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		delete(s.cur, k)
		delete(s.old, k)
	}
}
