package engine

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// Event is one pushed measurement: either pre-counted good and total
// events, or a single event with an outcome and/or a latency.
type Event struct {
	Stream string            `json:"stream"`
	Time   time.Time         `json:"time"`
	Labels map[string]string `json:"labels,omitempty"`
	// Good and Total are pre-counted events.
	Good  *float64 `json:"good,omitempty"`
	Total *float64 `json:"total,omitempty"`
	// Outcome is "good" or "bad" for a single event.
	Outcome string `json:"outcome,omitempty"`
	// LatencyMS is a single event's latency in milliseconds, classified
	// against each latency SLO's threshold.
	LatencyMS *float64 `json:"latency_ms,omitempty"`
}

// MaxFutureSkew is how far ahead of the clock an event may be stamped.
const MaxFutureSkew = 5 * time.Minute

// The largest numbers an event may carry. Larger ones are a client's bug,
// and summed they would overflow to infinity.
const (
	// MaxEventCount bounds good and total of one pre-counted event.
	MaxEventCount = 1e12
	// MaxLatencyMS bounds latency_ms: a year.
	MaxLatencyMS = 365 * 24 * 3600 * 1000.0
)

// EventError is a pushed event the engine cannot count; Index is its
// position in the batch, from 0.
type EventError struct {
	Index   int
	Message string
}

func (e *EventError) Error() string { return fmt.Sprintf("event %d: %s", e.Index+1, e.Message) }

// Ingest counts pushed events. The batch is all or nothing: if any event
// is invalid Ingest returns an *EventError (wrapped in an invalid
// slo.Error) and stores nothing; once it returns nil every event is
// durable. Events without a time are counted now.
//
// A group an SLO has not counted before is refused once the SLO counts
// MaxGroups groups.
func (e *Engine) Ingest(ctx context.Context, events []Event) error {
	now := e.clock.Now()
	e.recordMu.RLock()
	defer e.recordMu.RUnlock()
	counts, reserved, err := e.prepare(events, now)
	if err != nil {
		return err
	}
	return e.record(ctx, counts, reserved)
}

// prepare checks and counts events and reserves the groups they start;
// the caller holds recordMu shared and records the counts.
func (e *Engine) prepare(events []Event, now time.Time) ([]Count, *reservation, error) {
	counts, news, totals, err := e.countEvents(events, now)
	if err != nil {
		return nil, nil, &slo.Error{Code: slo.CodeInvalid, Message: err.Error(), Err: err}
	}
	reserved, err := e.reserve(news, totals)
	if err != nil {
		return nil, nil, &slo.Error{Code: slo.CodeInvalid, Message: err.Error(), Err: err}
	}
	return counts, reserved, nil
}

type countKey struct {
	st     *sloState
	group  string
	minute int64
}

// keyCacheKey is an SLO and the values of its groupBy labels, joined.
type keyCacheKey struct {
	st     *sloState
	values string
}

// countEvents turns events into counts per SLO, group and minute, lists
// the groups they would start, and sums the events each SLO counts.
func (e *Engine) countEvents(events []Event, now time.Time) ([]Count, map[*sloState][]newGroupAt, map[*sloState]totalAt, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	// Each count's place in out: one map operation per event. Sized for
	// events that each count for two SLOs at minutes of their own (a
	// backlog sent out of order): growing it cost a sixth of such a batch.
	index := make(map[countKey]int, min(2*len(events), 1<<14))
	var out []Count
	ids := map[*sloState]string{}
	var news map[*sloState][]newGroupAt
	seen := map[*sloState]map[string]bool{}
	totals := map[*sloState]totalAt{}
	keys := map[keyCacheKey]string{}
	for i, ev := range events {
		if ev.Stream == "" {
			return nil, nil, nil, &EventError{i, "stream: missing"}
		}
		if !validUTF8(ev.Stream) {
			return nil, nil, nil, &EventError{i, "stream: not valid UTF-8"}
		}
		targets, ok := e.streams[ev.Stream]
		if !ok {
			return nil, nil, nil, &EventError{i, fmt.Sprintf("stream: no SLO measures stream %q%s", ev.Stream, e.streamHint())}
		}
		t := ev.Time
		if t.IsZero() {
			t = now
		}
		if t.After(now.Add(MaxFutureSkew)) {
			return nil, nil, nil, &EventError{i, fmt.Sprintf("time: %s is in the future", t.Format(time.RFC3339))}
		}
		if err := checkShape(ev); err != nil {
			return nil, nil, nil, &EventError{i, err.Error()}
		}
		if err := checkLabels(ev.Labels); err != nil {
			return nil, nil, nil, &EventError{i, err.Error()}
		}
		used := false
		for _, st := range targets {
			c, ok := classify(ev, st.def)
			if !ok {
				continue
			}
			if now.Sub(t) > st.span {
				return nil, nil, nil, &EventError{i, fmt.Sprintf("time: %s is older than SLO %s's window", t.Format(time.RFC3339), st.def.ID())}
			}
			key, err := groupOf(st, ev.Labels, keys)
			if err != nil {
				return nil, nil, nil, &EventError{i, err.Error()}
			}
			used = true
			if t, ok := totals[st]; ok {
				t.total += c.Total
				totals[st] = t
			} else {
				totals[st] = totalAt{total: c.Total, index: i}
			}
			if _, ok := st.groups[key]; !ok && !seen[st][key] {
				if seen[st] == nil {
					seen[st] = map[string]bool{}
				}
				if news == nil {
					news = map[*sloState][]newGroupAt{}
				}
				seen[st][key] = true
				news[st] = append(news[st], newGroupAt{key, i})
			}
			k := countKey{st, key, UnixMinute(t)}
			if j, ok := index[k]; ok {
				out[j].Counts = out[j].Counts.add(c)
				continue
			}
			id, ok := ids[st]
			if !ok {
				id = st.def.ID()
				ids[st] = id
			}
			index[k] = len(out)
			out = append(out, Count{SLO: id, Group: key, Kind: KindEvents, Minute: k.minute, Counts: c})
		}
		if !used {
			return nil, nil, nil, &EventError{i, fmt.Sprintf("no SLO on stream %q can count this event: latency SLOs need latency_ms, the others outcome", ev.Stream)}
		}
	}
	e.addJourneyTotals(totals)
	return out, news, totals, nil
}

// groupOf returns the GroupKey of an event's labels for an SLO, computing
// each distinct one once per batch (keys caches them).
func groupOf(st *sloState, labels map[string]string, keys map[keyCacheKey]string) (string, error) {
	by := st.def.GroupBy
	if len(by) == 0 {
		return GroupKey(nil), nil
	}
	values := ""
	for j, l := range by {
		v := labels[l]
		if v == "" {
			return "", fmt.Errorf("labels.%s: missing; SLO %s counts per %s", l, st.def.ID(), strings.Join(by, ", "))
		}
		if j == 0 {
			values = v // one label, the usual case, needs no joining
		} else {
			values += "\x00" + v
		}
	}
	ck := keyCacheKey{st, values}
	if key, ok := keys[ck]; ok {
		return key, nil
	}
	set := make(map[string]string, len(by))
	for _, l := range by {
		set[l] = labels[l]
	}
	key := GroupKey(set)
	keys[ck] = key
	return key, nil
}

func (e *Engine) streamHint() string {
	names := sortedKeys(e.streams)
	if len(names) == 0 {
		return " (no SLO takes pushed events)"
	}
	if len(names) > 8 {
		names = append(names[:8], "…")
	}
	return " (streams: " + strings.Join(names, ", ") + ")"
}

// checkShape rejects events that say too little, contradict themselves or
// carry numbers no measurement gives.
func checkShape(ev Event) error {
	counted := ev.Good != nil || ev.Total != nil
	switch {
	case counted && (ev.Good == nil || ev.Total == nil):
		return fmt.Errorf("good and total: give both or neither")
	case counted && (ev.Outcome != "" || ev.LatencyMS != nil):
		return fmt.Errorf("good/total: pre-counted events take no outcome or latency_ms")
	case counted && !(Counts{*ev.Good, *ev.Total}).finite():
		return fmt.Errorf("good/total: need finite numbers, got good %g, total %g", *ev.Good, *ev.Total)
	case counted && (*ev.Good < 0 || *ev.Total < 0 || *ev.Good > *ev.Total):
		return fmt.Errorf("good/total: need 0 <= good <= total, got good %g, total %g", *ev.Good, *ev.Total)
	case counted && *ev.Total > MaxEventCount:
		return fmt.Errorf("total: %g is over %g events, more than one event can count; split it", *ev.Total, MaxEventCount)
	case ev.Outcome != "" && ev.Outcome != "good" && ev.Outcome != "bad":
		return fmt.Errorf("outcome: %q is not good or bad", ev.Outcome)
	case ev.LatencyMS != nil && (math.IsNaN(*ev.LatencyMS) || *ev.LatencyMS < 0 || *ev.LatencyMS > MaxLatencyMS):
		return fmt.Errorf("latency_ms: %g is not between 0 and %g (a year)", *ev.LatencyMS, MaxLatencyMS)
	case !counted && ev.Outcome == "" && ev.LatencyMS == nil:
		return fmt.Errorf("give good and total, an outcome, or latency_ms")
	}
	return nil
}

// classify counts an event for one SLO; false when the SLO cannot use it.
func classify(ev Event, def slo.SLO) (Counts, bool) {
	if ev.Good != nil {
		return Counts{Good: *ev.Good, Total: *ev.Total}, true
	}
	if def.Indicator.Kind == slo.KindLatency {
		if ev.LatencyMS == nil {
			return Counts{}, false
		}
		// Compared in milliseconds: a conversion to a Duration could overflow.
		good := *ev.LatencyMS <= float64(def.Indicator.Threshold)/float64(time.Millisecond)
		return Counts{Good: b2f(good), Total: 1}, true
	}
	if ev.Outcome == "" {
		return Counts{}, false
	}
	return Counts{Good: b2f(ev.Outcome == "good"), Total: 1}, true
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
