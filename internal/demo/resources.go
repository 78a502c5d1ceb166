package demo

import (
	"math"
	"time"
)

// The resource thresholds an operations team without SLOs would alert on.
const (
	cpuLimit    = 90.0 // percent, for 5 minutes
	memoryLimit = 85.0 // percent
	queueLimit  = 80.0 // percent of the till's print and sync queue
)

// resourceAlerts runs the threshold alerts on the simulated tills: CPU,
// memory and queue fill per store, counting each time one starts firing.
type resourceAlerts struct {
	firing map[string]bool
	hot    map[string]int // minutes over the CPU limit
	Fired  map[string]int // by resource
	// Mattered counts alerts that started while customers were affected.
	Mattered int
}

func newResourceAlerts() *resourceAlerts {
	return &resourceAlerts{firing: map[string]bool{}, hot: map[string]int{}, Fired: map[string]int{}}
}

// Total is every resource alert fired.
func (r *resourceAlerts) Total() int {
	n := 0
	for _, v := range r.Fired {
		n += v
	}
	return n
}

// observe checks every store's metrics at t; customers says whether
// customers are being hurt at the time (an SLO burns).
func (r *resourceAlerts) observe(t time.Time, customers bool) {
	for i, s := range stores {
		cpu, mem, queue := metrics(t, i, s)
		key := s.Name + "/"
		if cpu > cpuLimit {
			r.hot[key+"cpu"]++
		} else {
			r.hot[key+"cpu"] = 0
		}
		r.check(key+"cpu", "cpu", r.hot[key+"cpu"] >= 5, customers)
		r.check(key+"memory", "memory", mem > memoryLimit, customers)
		r.check(key+"queue", "queue", queue > queueLimit, customers)
	}
}

func (r *resourceAlerts) check(key, resource string, over, customers bool) {
	if over && !r.firing[key] {
		r.Fired[resource]++
		if customers {
			r.Mattered++
		}
	}
	r.firing[key] = over
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
