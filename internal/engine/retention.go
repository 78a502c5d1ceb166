package engine

import (
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// Retention is how far back an event may be stamped and still count for
// an SLO over window w: Ingest refuses older ones.
func Retention(w slo.Window) time.Duration { return span(w) }
