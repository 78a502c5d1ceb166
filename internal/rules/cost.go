package rules

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/prometheus/prometheus/promql/parser"
)

// Cost is what rules cost Prometheus in one evaluation, estimated from
// their range selectors and subqueries.
type Cost struct {
	// RecordingRules and AlertingRules count the rules.
	RecordingRules, AlertingRules int
	// RecordedSamples are the samples of recorded series read, per label
	// set of an SLO (one, or one per group of a grouped SLO): a range over
	// a series recorded every minute reads one sample a minute, over a
	// tile two per tile (the tile and the stale marker after it), a
	// subquery one per step, an instant selector one.
	RecordedSamples float64
	// RawSamples are the samples read of each raw series the SLO's queries
	// select, scraped every scrape interval.
	RawSamples float64
}

// Add adds the cost of more rules.
func (c Cost) Add(o Cost) Cost {
	return Cost{
		RecordingRules: c.RecordingRules + o.RecordingRules, AlertingRules: c.AlertingRules + o.AlertingRules,
		RecordedSamples: c.RecordedSamples + o.RecordedSamples, RawSamples: c.RawSamples + o.RawSamples,
	}
}

// Estimate adds up the cost of the groups' rules when raw series are
// scraped every scrape. Series whose name holds a colon count as
// recorded, as the naming convention for recording rules has it.
func Estimate(groups []Group, scrape time.Duration) (Cost, error) {
	var c Cost
	for _, g := range groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				c.AlertingRules++
			} else {
				c.RecordingRules++
			}
			e, err := parse(r.Expr)
			if err != nil {
				return Cost{}, fmt.Errorf("estimate group %s: %w", g.Name, err)
			}
			c.samples(e, 1, scrape)
		}
	}
	return c, nil
}

// samples adds what node reads when evaluated times times per evaluation.
func (c *Cost) samples(node parser.Node, times float64, scrape time.Duration) {
	add := func(vs *parser.VectorSelector, n float64) {
		if strings.Contains(vs.Name, ":") {
			c.RecordedSamples += times * n
		} else {
			c.RawSamples += times * n
		}
	}
	switch n := node.(type) {
	case *parser.MatrixSelector:
		vs := n.VectorSelector.(*parser.VectorSelector)
		every, per := scrape, 1.0
		switch {
		case strings.HasSuffix(vs.Name, "1h"):
			every, per = time.Hour, 2 // a tile and the stale marker after it
		case strings.HasSuffix(vs.Name, "5m"):
			every, per = tileStep, 2
		case strings.Contains(vs.Name, ":"):
			every = EvalStep
		}
		add(vs, per*math.Ceil(float64(n.Range)/float64(every)))
		return
	case *parser.VectorSelector:
		add(n, 1)
		return
	case *parser.SubqueryExpr:
		step := n.Step
		if step == 0 {
			step = EvalStep
		}
		c.samples(n.Expr, times*float64(n.Range)/float64(step), scrape)
		return
	}
	for _, child := range parser.Children(node) {
		c.samples(child, times, scrape)
	}
}
