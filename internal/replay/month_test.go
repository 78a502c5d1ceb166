package replay_test

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// incident is an injected failure: a share of checkout requests fail.
type incident struct {
	name      string
	from      time.Time
	minutes   int
	errorRate float64
}

// month is a generated month of one checkout's traffic and its till
// servers' resource gauges, minute by minute.
type month struct {
	start     time.Time
	incidents []incident
	// Per minute from start: requests and failed requests, and the
	// gauges at the minute's start (0..1).
	total, bad            []float64
	cpu, mem, queue, disk []float64
}

// The month's traffic: 150 requests a minute at night, up to 600 in the
// afternoon, 0.02% failing at random; four incidents.
func newMonth(start time.Time, days int) *month {
	day := func(d int, h, m int) time.Time {
		return start.AddDate(0, 0, d).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	mo := &month{start: start, incidents: []incident{
		{"lunch outage", day(7, 14, 0), 25, 0.10}, // Thu Oct 8: pages at once
		{"slow burn", day(14, 9, 0), 240, 0.01},   // Thu Oct 15: only the 6h page notices
		{"night outage", day(21, 3, 10), 10, 1},   // Thu Oct 22: everything fails, little traffic
		{"blip", day(26, 16, 0), 3, 0.05},         // Tue Oct 27: users hurt, too briefly to page
	}}
	rng := rand.New(rand.NewPCG(17, 42))
	n := days * 24 * 60
	for i := 0; i < n; i++ {
		t := start.Add(time.Duration(i) * time.Minute)
		h := float64(t.Hour()) + float64(t.Minute())/60
		busy := 0.0
		if h >= 6 && h < 22 {
			busy = math.Sin(math.Pi * (h - 6) / 16)
		}
		total := math.Round(150 + 450*busy)
		bad := poisson(rng, total*0.0002)
		for _, in := range mo.incidents {
			if !t.Before(in.from) && t.Before(in.from.Add(time.Duration(in.minutes)*time.Minute)) {
				bad = math.Round(total * in.errorRate)
			}
		}
		mo.total, mo.bad = append(mo.total, total), append(mo.bad, bad)
		// Gauges as written to OpenMetrics, to four decimals.
		mo.cpu = append(mo.cpu, round4(cpuAt(t, busy, rng)))
		mo.mem = append(mo.mem, round4(memAt(t)))
		mo.queue = append(mo.queue, round4(mo.queueAt(t, busy, rng)))
		mo.disk = append(mo.disk, round4(diskAt(t)))
	}
	return mo
}

// cpuAt: the afternoon peak stays under 70%, the nightly reconciliation
// pins the CPU from 02:00 to 02:30.
func cpuAt(t time.Time, busy float64, rng *rand.Rand) float64 {
	if t.Hour() == 2 && t.Minute() < 30 {
		return 0.97
	}
	return 0.25 + 0.4*busy + 0.03*rng.Float64()
}

// memAt: a leak of 6 points a day from 55% after the weekly restart on
// Sunday 04:00 crosses 85% on Friday morning.
func memAt(t time.Time) float64 {
	since := t.Sub(weekStart(t).Add(-24*time.Hour + 4*time.Hour)) // Sunday 04:00
	if since >= 7*24*time.Hour {
		since -= 7 * 24 * time.Hour
	}
	return 0.55 + 0.06*since.Hours()/24
}

// queueAt: the receipt queue fills at the weekday evening peak, and with
// the lunch outage (its cause) from two minutes before it to five after.
func (mo *month) queueAt(t time.Time, busy float64, rng *rand.Rand) float64 {
	lunch := mo.incidents[0]
	if !t.Before(lunch.from.Add(-2*time.Minute)) && t.Before(lunch.from.Add(time.Duration(lunch.minutes+5)*time.Minute)) {
		return 0.95
	}
	if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
		if m := t.Hour()*60 + t.Minute(); m >= 17*60+30 && m < 18*60+15 {
			return 0.85
		}
	}
	return 0.1 + 0.4*busy + 0.05*rng.Float64()
}

// diskAt: logs fill the disk from 60% on Monday to 95% by Sunday night;
// it crosses 90% on Saturday afternoon.
func diskAt(t time.Time) float64 {
	return 0.6 + 0.35*t.Sub(weekStart(t)).Hours()/(7*24)
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

func weekStart(t time.Time) time.Time {
	return engine.WindowStart(slo.Window{Calendar: slo.CalendarWeek}, t)
}

func poisson(rng *rand.Rand, lambda float64) float64 {
	l, k, p := math.Exp(-lambda), 0.0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// openMetrics writes the month as Prometheus would have scraped it: the
// request counters every 30 seconds, growing evenly within each minute
// (so increase() over a minute is the minute's count), the gauges every
// minute.
func (mo *month) openMetrics(w io.Writer) error {
	ts := func(i int, sec int) int64 { return mo.start.Unix() + int64(i)*60 + int64(sec) }
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	fmt.Fprintln(w, "# TYPE checkout_requests counter")
	for _, code := range []string{"200", "500"} {
		count := func(i int) float64 {
			if code == "500" {
				return mo.bad[i]
			}
			return mo.total[i] - mo.bad[i]
		}
		cum := 0.0
		for i := range mo.total {
			fmt.Fprintf(w, "checkout_requests_total{code=%q} %s %d\n", code, f(cum), ts(i, 0))
			fmt.Fprintf(w, "checkout_requests_total{code=%q} %s %d\n", code, f(cum+count(i)/2), ts(i, 30))
			cum += count(i)
		}
		fmt.Fprintf(w, "checkout_requests_total{code=%q} %s %d\n", code, f(cum), ts(len(mo.total), 0))
	}
	for _, g := range []struct {
		name string
		v    []float64
	}{{"node_cpu_utilisation", mo.cpu}, {"node_memory_utilisation", mo.mem}, {"receipt_queue_fill_ratio", mo.queue}, {"node_disk_used_ratio", mo.disk}} {
		fmt.Fprintf(w, "# TYPE %s gauge\n", g.name)
		for i, v := range g.v {
			fmt.Fprintf(w, "%s{instance=\"till-gw-1\"} %s %d\n", g.name, strconv.FormatFloat(v, 'f', 4, 64), ts(i, 0))
		}
	}
	_, err := fmt.Fprintln(w, "# EOF")
	return err
}

// resourceRules are a team's threshold alerts, recorded as ALERTS so
// promtool backfills them (it evaluates recording rules only). HighCPU
// stands for `for: 5m`. The till gateway's alerts name their service in
// an app label (replay's --match service=app); the disk alert is about a
// search service without SLOs here, so it matches none.
const resourceRules = `groups:
  - name: resources
    rules:
      - record: ALERTS
        expr: (min_over_time(node_cpu_utilisation[5m]) > 0.9) * 0 + 1
        labels: {alertname: HighCPU, alertstate: firing, severity: page, app: checkout}
      - record: ALERTS
        expr: (node_memory_utilisation > 0.85) * 0 + 1
        labels: {alertname: HighMemory, alertstate: firing, severity: page, app: checkout}
      - record: ALERTS
        expr: (receipt_queue_fill_ratio > 0.8) * 0 + 1
        labels: {alertname: ReceiptQueueBacklog, alertstate: firing, severity: page, app: checkout}
      - record: ALERTS
        expr: (node_disk_used_ratio > 0.9) * 0 + 1
        labels: {alertname: DiskAlmostFull, alertstate: firing, severity: ticket, service: search}
`

// resourceAlerts works out from the gauges when each rule starts firing:
// the first minute its condition holds after a minute it did not.
func (mo *month) resourceAlerts(from, to time.Time) map[string][]time.Time {
	over := func(v []float64, limit float64, hold int) func(i int) bool {
		return func(i int) bool {
			for k := i - hold + 1; k <= i; k++ {
				if k < 0 || v[k] <= limit {
					return false
				}
			}
			return true
		}
	}
	rules := map[string]func(int) bool{
		"HighCPU":             over(mo.cpu, 0.9, 5),
		"HighMemory":          over(mo.mem, 0.85, 1),
		"ReceiptQueueBacklog": over(mo.queue, 0.8, 1),
		"DiskAlmostFull":      over(mo.disk, 0.9, 1),
	}
	out := map[string][]time.Time{}
	for name, on := range rules {
		for i := mo.index(from); i < mo.index(to); i++ {
			if on(i) && !on(i-1) {
				out[name] = append(out[name], mo.at(i))
			}
		}
	}
	return out
}

func (mo *month) index(t time.Time) int { return int(t.Sub(mo.start) / time.Minute) }
func (mo *month) at(i int) time.Time    { return mo.start.Add(time.Duration(i) * time.Minute) }

// tier is a row of the burn-rate table in docs/alerting.md.
type tier struct {
	rule, severity string
	factor         float64
	long, short    time.Duration
}

// The documented tiers of a 30-day and of a 7-day SLO, and the users-hurt
// rule of docs/replay.md.
var (
	tiers30d = []tier{
		{"fast", "page", 14.4, time.Hour, 5 * time.Minute}, {"medium", "page", 6, 6 * time.Hour, 30 * time.Minute},
		{"slow", "ticket", 3, 24 * time.Hour, 2 * time.Hour}, {"slowest", "ticket", 1, 72 * time.Hour, 6 * time.Hour},
	}
	tiers7d = []tier{
		{"fast", "page", 14.4, 15 * time.Minute, 5 * time.Minute}, {"medium", "page", 6, time.Hour, 5 * time.Minute},
		{"slow", "ticket", 3, 6 * time.Hour, 30 * time.Minute}, {"slowest", "ticket", 1, 12 * time.Hour, time.Hour},
	}
	usersHurt = tier{"users-hurt", "", 1, time.Hour, 5 * time.Minute}
)

// prefix sums the month's minutes: p[i] counts the minutes before i.
func prefix(v []float64) []float64 {
	p := make([]float64, len(v)+1)
	for i, x := range v {
		p[i+1] = p[i] + x
	}
	return p
}

// window sums a prefix over the minutes from b (a prefix index) up to the
// evaluation at minute e, which has not been measured yet, so the window
// ends with minute e−1, the last one measured. As
// docs/alerting.md says, a window of three days is exact to the minute and
// a longer one starts at the nearest hour.
func window(p []float64, b, e int) float64 {
	if e-b >= 3*24*60 {
		b = (b + 29) / 60 * 60 // ties go to the earlier hour
	}
	return p[e] - p[max(b, 0)]
}

// expect works out from the generated minutes alone when each tier of an
// SLO fires and resolves, as docs/alerting.md describes: Accord evaluates
// 30 seconds into each minute, once the minute before is measured; a tier
// fires while the burn rate over both of its windows (ending with the
// minute measured last, the one before the evaluation's) is above its factor and its long window's bad
// events reach factor × long window / SLO window of the budget the SLO's
// window holds, and at least three.
func (mo *month) expect(objective float64, w time.Duration, tiers []tier, from, to time.Time) []episode {
	share := 1 - objective/100
	pt, pb := prefix(mo.total), prefix(mo.bad)
	wm := int(w / time.Minute)
	var out []episode
	open := map[string]int{}
	for e := mo.index(from); e < mo.index(to); e++ {
		budget := share * window(pt, e-wm-1, e)
		for _, tr := range tiers {
			l, s := int(tr.long/time.Minute), int(tr.short/time.Minute)
			tl, bl := window(pt, e-l, e), window(pb, e-l, e)
			ts, bs := window(pt, e-s, e), window(pb, e-s, e)
			on := tl > 0 && ts > 0 && bl/tl/share > tr.factor && bs/ts/share > tr.factor &&
				bl >= math.Max(3, tr.factor*float64(l)/float64(wm)*budget)
			i, firing := open[tr.rule]
			at := mo.at(e).Add(30 * time.Second)
			switch {
			case on && !firing:
				open[tr.rule] = len(out)
				out = append(out, episode{rule: tr.rule, severity: tr.severity, fired: at})
			case !on && firing:
				out[i].resolved = at
				delete(open, tr.rule)
			}
		}
	}
	return out
}

// budget is the share of an SLO's budget left, the lowest at the end of
// any hour of the replay and at its end: 1 − bad ÷ (budget share × events)
// over the window.
func (mo *month) budget(objective float64, w time.Duration, from, to time.Time) (lowest, end float64) {
	share := 1 - objective/100
	pt, pb := prefix(mo.total), prefix(mo.bad)
	wm := int(w / time.Minute)
	left := func(e int) float64 { return 1 - window(pb, e-wm, e)/(share*window(pt, e-wm, e)) }
	lowest = math.Inf(1)
	for e := mo.index(from) + 60; e <= mo.index(to); e += 60 {
		lowest = math.Min(lowest, left(e))
	}
	return lowest, left(mo.index(to))
}

// sum counts the good and all requests from from to to.
func (mo *month) sum(from, to time.Time) (good, total float64) {
	for i := mo.index(from); i < mo.index(to); i++ {
		good, total = good+mo.total[i]-mo.bad[i], total+mo.total[i]
	}
	return good, total
}
