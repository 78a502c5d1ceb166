package engine

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// Duration is a time.Duration that reads and writes JSON as people write
// durations: "5m", "3d", "1h30m".
type Duration time.Duration

// MarshalJSON writes the duration in Prometheus style.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(slo.FormatDuration(time.Duration(d)))
}

// UnmarshalJSON reads a duration written by MarshalJSON.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if string(b) == "null" { // a budget without data has none
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: want a string such as \"5m\": %w", err)
	}
	v, err := slo.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}
