package main

import (
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

func TestStatusSaysWhatIsNotMeasured(t *testing.T) {
	v := engine.SLOView{ID: "checkout/basket", Source: engine.SourceState{NotMeasured: "source kind Datadog"}}
	got := state(v, 0, time.Now())
	if !strings.Contains(got, "not measured: source kind Datadog") || strings.Contains(got, "loading history") {
		t.Errorf("state = %q", got)
	}
}
