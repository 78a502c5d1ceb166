package demo

import (
	"math"
	"time"

	"github.com/accord-slo/accord/internal/replay"
)

// The resource thresholds an operations team without SLOs would alert on.
const (
	cpuLimit    = 90.0 // percent, for 5 minutes
	memoryLimit = 85.0 // percent
	queueLimit  = 80.0 // percent of the till's print and sync queue
)

// resourceAlerts runs the threshold alerts on the simulated tills: CPU,
// memory and queue fill per store, keeping each alert from firing to
// resolved so the replay's scoring can judge them.
type resourceAlerts struct {
	firing map[string]int // alert key → its episode firing now
	hot    map[string]int // minutes over the CPU limit
	// episodes are every alert that fired, in order.
	episodes []replay.Alert
	Fired    map[string]int // by resource
}

func newResourceAlerts() *resourceAlerts {
	return &resourceAlerts{firing: map[string]int{}, hot: map[string]int{}, Fired: map[string]int{}}
}

// Total is every resource alert fired.
func (r *resourceAlerts) Total() int { return len(r.episodes) }

// observe checks every store's metrics at t.
func (r *resourceAlerts) observe(t time.Time) {
	for i, s := range stores {
		cpu, mem, queue := metrics(t, i, s)
		key := s.Name + "/"
		if cpu > cpuLimit {
			r.hot[key+"cpu"]++
		} else {
			r.hot[key+"cpu"] = 0
		}
		r.check(s.Name, "cpu", r.hot[key+"cpu"] >= 5, t)
		r.check(s.Name, "memory", mem > memoryLimit, t)
		r.check(s.Name, "queue", queue > queueLimit, t)
	}
}

func (r *resourceAlerts) check(store, resource string, over bool, t time.Time) {
	key := store + "/" + resource
	i, firing := r.firing[key]
	switch {
	case over && !firing:
		r.firing[key] = len(r.episodes)
		r.episodes = append(r.episodes, replay.Alert{Name: resource, Severity: "page",
			Labels: map[string]string{"store": store}, FiredAt: t})
		r.Fired[resource]++
	case !over && firing:
		at := t
		r.episodes[i].ResolvedAt = &at
		delete(r.firing, key)
	}
}

// metrics are a till's CPU, memory and queue fill in percent: the nightly
// reconciliation pins the CPU, the till software leaks memory until its
// weekly restart, the price batch fills the queue at night and the big
// stores' receipt printers fall behind at the evening peak. None of it
// turns a customer away.
func metrics(t time.Time, i int, s store) (cpu, mem, queue float64) {
	h := float64(t.Hour()) + float64(t.Minute())/60
	cpu = 20 + 35*busy(t)*s.Size
	if h >= 2 && h < 2.5 {
		cpu = 97 // end-of-day reconciliation
	}
	restart := time.Weekday(i % 7)
	days := float64((int(t.Weekday()) - int(restart) + 7) % 7)
	mem = 50 + 6*(days+h/24)
	queue = 10 + 30*busy(t)
	if h >= 2 && h < 2.5 && i%3 == 0 {
		queue = 88
	}
	if h >= 17.5 && h < 18.25 && s.Size >= 1.2 {
		queue = 84 // the big stores' receipt printers fall behind at the evening peak
	}
	return cpu, math.Min(mem, 99), queue
}
