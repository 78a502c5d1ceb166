package web

import (
	"testing"
)

// FuzzDecodeEvents feeds arbitrary bodies to the ingest decoder: it must
// answer every input with events or an error, never panic, and give each
// event the line it starts on, in order.
func FuzzDecodeEvents(f *testing.F) {
	for _, seed := range []string{
		`[{"stream": "payments", "outcome": "good"}]`,
		"{\"stream\": \"payments\", \"good\": 1, \"total\": 2}\n{\"stream\": \"x\", \"latency_ms\": 12.5}\n",
		`[{"stream": "p", "time": "2026-11-25T12:00:00Z", "labels": {"store": "s1"}, "outcome": "bad"},` + "\n" + `{"stream": "p"}]`,
		`{"stream": "payments",`,
		`[]`, `  `, `[{"outcom": "good"}]`, `{"a":1} trailing`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		events, at, err := decodeEvents(body, 1000)
		if err != nil {
			if events != nil {
				t.Fatalf("an error (%v) came with %d events", err, len(events))
			}
			return
		}
		if len(events) == 0 || len(events) != len(at) {
			t.Fatalf("%d events with %d positions and no error", len(events), len(at))
		}
		for i := 1; i < len(at); i++ {
			if at[i].line < at[i-1].line || at[i].line < 1 {
				t.Fatalf("lines out of order: %v", at)
			}
		}
	})
}
