package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

var _ Channel = (*Slack)(nil)

// Slack posts notifications to a Slack-compatible incoming webhook
// (Slack, Mattermost, Rocket.Chat): one message per batch, one line per
// notification, in Slack's mrkdwn.
type Slack struct {
	URL    string
	Client *http.Client
	// ID, when set, names the channel instead of the redacted URL (two
	// webhooks of one server may look alike redacted).
	ID string
}

// SlackMessage is the body an incoming webhook takes.
type SlackMessage struct {
	Text string `json:"text"`
}

// Name identifies the webhook by its URL without its key: the name shows
// in logs and metrics.
func (s *Slack) Name() string {
	if s.ID != "" {
		return "slack:" + s.ID
	}
	return "slack:" + Redact(s.URL)
}

// Send posts the notifications as one message.
func (s *Slack) Send(ctx context.Context, notes []engine.Notification) error {
	lines := make([]string, 0, len(notes))
	for _, n := range notes {
		lines = append(lines, SlackText(n))
	}
	body, err := json.Marshal(SlackMessage{Text: strings.Join(lines, "\n")})
	if err != nil {
		return fmt.Errorf("encode Slack message: %w", err)
	}
	client := s.Client
	if client == nil {
		client = defaultClient()
	}
	return postJSON(ctx, client, s.URL, body, nil)
}

// SlackText renders one notification as a line of mrkdwn.
func SlackText(n engine.Notification) string {
	link := func(text string) string {
		if n.URL == "" {
			return "*" + text + "*"
		}
		return "<" + n.URL + "|" + text + ">"
	}
	if n.Kind == engine.NotifyPolicy && n.Policy != nil {
		p := n.Policy
		icon := ":warning:"
		if p.Healthy {
			icon = ":white_check_mark:"
		}
		var asks []string
		for _, a := range p.Actions {
			switch a.Kind {
			case slo.ActionFreezeReleases:
				ask := "releases are frozen"
				if len(a.Except) > 0 {
					ask += " except " + strings.Join(a.Except, ", ")
				}
				asks = append(asks, ask)
			case slo.ActionReliabilityFirst:
				asks = append(asks, "reliability work comes first")
			case slo.ActionPostmortem:
				asks = append(asks, "a postmortem is due")
			}
		}
		var who []string
		for _, role := range slices.Sorted(maps.Keys(p.Recipients)) {
			if name := p.Recipients[role]; name != "" {
				who = append(who, role+" "+name)
			}
		}
		text := fmt.Sprintf("%s %s is now *%s* (was %s) under policy %s: %.0f%% of the error budget left.",
			icon, link(p.SLO), p.To, p.From, p.Policy, p.BudgetRemaining*100)
		if len(asks) > 0 {
			text += " The policy asks: " + strings.Join(asks, "; ") + "."
		}
		if len(who) > 0 {
			text += " For: " + strings.Join(who, ", ") + "."
		}
		return text
	}
	a := n.Alert
	icon := ":rotating_light:"
	if a.State == engine.AlertResolved {
		icon = ":white_check_mark:"
	}
	text := fmt.Sprintf("%s [%s] %s %s: %s", icon, strings.ToUpper(string(a.State)), a.Severity, link(a.SLO), n.Annotations["summary"])
	if rb := n.Annotations["runbook_url"]; rb != "" && a.State == engine.AlertFiring {
		text += " <" + rb + "|runbook>"
	}
	return text
}
