package replay_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/replay"
)

var t0 = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

func fired(minutes ...int) []replay.Alert {
	var out []replay.Alert
	for _, m := range minutes {
		out = append(out, replay.Alert{Name: "a", Severity: "page", FiredAt: at(m)})
	}
	return out
}

func ptr(f float64) *float64 { return &f }

func TestScoreAlerts(t *testing.T) {
	week := replay.Period{From: t0, To: t0.Add(7 * 24 * time.Hour)}
	hurt := []replay.Period{{From: at(100), To: at(160)}, {From: at(1000), To: at(1030)}, {From: at(5000), To: at(5010)}}
	tests := []struct {
		name   string
		alerts []replay.Alert
		hurt   []replay.Period
		want   replay.Score
	}{
		{"no alerts, no hurt", nil, nil, replay.Score{}},
		{"no alerts", nil, hurt, replay.Score{HurtPeriods: 3, Recall: ptr(0)}},
		{
			// One alert 5 minutes into the first period, one warning 10
			// minutes before the second, one too early (20 minutes) for the
			// third and one outside the span.
			"early warnings count, alerts outside the span do not",
			fired(105, 990, 4980, -5, 7*24*60),
			hurt,
			replay.Score{Alerts: 3, WhileHurt: 2, Precision: ptr(2.0 / 3), HurtPeriods: 3, Caught: 2, Recall: ptr(2.0 / 3),
				MedianDelay: ptr(-2.5), MaxDelay: ptr(5), PerWeek: 3},
		},
		{
			// Several alerts in one period: the first decides the delay; an
			// alert at the period's end no longer counts.
			"the first alert of a period decides its delay",
			fired(130, 110, 159, 160),
			hurt[:1],
			replay.Score{Alerts: 4, WhileHurt: 3, Precision: ptr(0.75), HurtPeriods: 1, Caught: 1, Recall: ptr(1),
				MedianDelay: ptr(10), MaxDelay: ptr(10), PerWeek: 4},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := replay.ScoreAlerts("test", tt.alerts, tt.hurt, week)
			tt.want.Name = "test"
			if !sameScore(got, tt.want) {
				t.Errorf("got %s\nwant %s", show(got), show(tt.want))
			}
		})
	}
}

func TestMergeJoinsPeriodsCloserThanTheGap(t *testing.T) {
	got := replay.Merge([]replay.Period{
		{From: at(200), To: at(210)}, {From: at(0), To: at(10)}, {From: at(5), To: at(20)},
		{From: at(49), To: at(60)}, {From: at(90), To: at(100)},
	}, 30*time.Minute)
	want := []replay.Period{{From: at(0), To: at(60)}, {From: at(90), To: at(100)}, {From: at(200), To: at(210)}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].From.Equal(want[i].From) || !got[i].To.Equal(want[i].To) {
			t.Errorf("period %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

func sameScore(a, b replay.Score) bool {
	eq := func(x, y *float64) bool {
		if x == nil || y == nil {
			return x == nil && y == nil
		}
		return *x-*y < 1e-9 && *y-*x < 1e-9
	}
	return a.Name == b.Name && a.Alerts == b.Alerts && a.WhileHurt == b.WhileHurt && eq(a.Precision, b.Precision) &&
		a.HurtPeriods == b.HurtPeriods && a.Caught == b.Caught && eq(a.Recall, b.Recall) &&
		eq(a.MedianDelay, b.MedianDelay) && eq(a.MaxDelay, b.MaxDelay) && eq(&a.PerWeek, &b.PerWeek)
}

func show(s replay.Score) string {
	f := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	return fmt.Sprintf("alerts %d whileHurt %d precision %v hurt %d caught %d recall %v delay median %v max %v perWeek %g",
		s.Alerts, s.WhileHurt, f(s.Precision), s.HurtPeriods, s.Caught, f(s.Recall), f(s.MedianDelay), f(s.MaxDelay), s.PerWeek)
}
