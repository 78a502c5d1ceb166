package auth

import (
	"fmt"
	"time"
)

// Entry is one write in the audit trail: who did what, when, from where,
// and how it ended. Pushes of events are folded: one entry per identity,
// address, outcome and hour, counting the requests.
type Entry struct {
	ID int64 `json:"id"`
	// At is when the write was made (the first of a folded entry's).
	At time.Time `json:"at"`
	// LastAt is the last request a folded entry counts; At otherwise.
	LastAt time.Time `json:"lastAt"`
	Who    string    `json:"who"`
	Via    Via       `json:"via"`
	Role   Role      `json:"role"`
	Method string    `json:"method"`
	// Route is the API route's pattern, e.g. "POST /api/v1/exceptions".
	Route string `json:"route"`
	// Object is what the write acted on, e.g. "exception 3", "token ci".
	Object string `json:"object"`
	// Service is the service the write concerns; "" for none.
	Service string `json:"service,omitempty"`
	// Summary says the write in words, or why it was refused.
	Summary string `json:"summary"`
	// Status is the HTTP status of the answer.
	Status int `json:"status"`
	// Remote is the address of the peer that sent the request.
	Remote string `json:"remote"`
	// ForwardedFor is the X-Forwarded-For header, kept only when the peer
	// is a trusted proxy.
	ForwardedFor string `json:"forwardedFor,omitempty"`
	// Count is the number of requests the entry stands for: 1 unless
	// folded.
	Count int `json:"count"`
	// Folded marks an entry that folds repeated requests (event pushes).
	Folded bool `json:"folded,omitempty"`
}

// What says the write in words: its summary, or its method and object.
func (e Entry) What() string {
	if e.Summary != "" {
		return e.Summary
	}
	return e.Method + " " + e.Object
}

// Succeeded reports whether the write was done (a 2xx or 3xx answer).
func (e Entry) Succeeded() bool { return e.Status < 400 }

// foldKey is what folded entries share: identity, route, peer address,
// outcome and hour. X-Forwarded-For is left out, since a client can vary
// it: a folded entry keeps the first.
func (e Entry) foldKey() string {
	return fmt.Sprintf("%s|%s|%s|%s|%d|%d", e.Who, e.Via, e.Route, e.Remote, e.Status, e.At.Unix()/3600)
}

// Query selects audit entries, newest first.
type Query struct {
	// Before pages back: only entries with a smaller id; 0 for the newest.
	Before int64
	// Limit bounds the entries returned; 0 means DefaultLimit.
	Limit int
	// Who keeps one identity's entries.
	Who string
	// Services keeps the entries concerning these services.
	Services []string
	// Action keeps the entries whose route contains it, case aside:
	// "exceptions", "DELETE /api/v1/tokens".
	Action string
	// From and To keep entries made in From..To (To excluded); zero is
	// unbounded.
	From, To time.Time
	// Succeeded keeps only writes that were done.
	Succeeded bool
	// Unfolded leaves out folded entries (event pushes).
	Unfolded bool
}

// Audit page sizes.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// maxSummary bounds an entry's summary, in bytes: reasons people type can
// be long, and the audit trail is bounded.
const maxSummary = 300

// clip shortens s to at most n bytes, on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
