package client

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// PushResult is Accord's answer to a push.
type PushResult struct {
	// Accepted is how many events the batch held.
	Accepted int `json:"accepted"`
	// Repeat is true when Accord had stored the batch under its key
	// already (a retry of a push whose answer was lost): it was not
	// counted again.
	Repeat bool `json:"repeat"`
}

// pushAttempts is how many times PushEvents sends a batch at most, and
// pushBackoff the wait before the first resend, doubled for each next.
const (
	pushAttempts = 4
	pushBackoff  = time.Second
)

// PushEvents sends NDJSON events under an Idempotency-Key (one per batch,
// e.g. a UUID or the source's name and sequence number) and resends them
// under the same key when no answer came back, or the answer says to try
// again (408, 429, 5xx; after Retry-After when Accord gives one): Accord
// counts the batch once however often it arrives.
func (c *Client) PushEvents(ctx context.Context, key string, ndjson []byte) (PushResult, error) {
	header := http.Header{"Idempotency-Key": {key}}
	wait := pushBackoff
	for attempt := 1; ; attempt++ {
		var out PushResult
		status, err := c.send(ctx, "POST", "/api/v1/events", "application/x-ndjson", header, ndjson, &out)
		if err == nil || attempt == pushAttempts || !retryable(status) {
			return out, err
		}
		pause := wait
		var ue *UnavailableError
		if errors.As(err, &ue) {
			pause = max(pause, ue.RetryAfter)
		}
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return PushResult{}, ctx.Err()
		}
		wait *= 2
	}
}

// retryable reports an answer after which a batch may be sent again: none
// at all, a 2xx whose body was lost, or a status that asks for a retry.
func retryable(status int) bool {
	switch {
	case status == 0, status/100 == 2, status/100 == 5:
		return true
	}
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests
}
