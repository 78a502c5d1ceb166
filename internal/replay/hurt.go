package replay

import (
	"slices"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// Users were hurt while an SLO spent its error budget faster than it
// earns it: a burn rate above 1 over the last hour and over the last five
// minutes, with the hour's bad events more than the objective allows an
// average hour of the window (and at least engine.MinBadEvents). That is a
// burn-rate rule with factor 1 over 1h/5m, so the engine evaluates it
// beside the SLO's own rules, per group, and the replay reads its episodes
// as hurt periods; it notifies no one.
var hurtRule = slo.BurnRateAlert{Name: "replay:users-hurt", Severity: slo.SeverityTicket, Factor: 1,
	LongWindow: time.Hour, ShortWindow: 5 * time.Minute}

// HurtGap joins hurt periods less than this far apart into one: the
// same incident, flickering while its bad events are still in the hour's
// window.
const HurtGap = time.Hour

// withHurtRule returns def with the rules the engine evaluates for it
// written out, and the hurt rule after them.
func withHurtRule(def slo.SLO) slo.SLO {
	rules := slices.Clone(engine.Rules(&def))
	hurt := hurtRule
	hurt.LongWindow = min(hurt.LongWindow, def.Window.Nominal())
	hurt.ShortWindow = min(hurt.ShortWindow, hurt.LongWindow)
	def.Alerting.BurnRates = append(rules, hurt)
	// The rules are written out, so no severity is dropped again, and the
	// hurt rule is evaluated even when tickets are disabled.
	def.Alerting.Page.Disabled, def.Alerting.Ticket.Disabled = false, false
	return def
}
