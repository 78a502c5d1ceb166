package web

import (
	"net/http"
	"time"
)

// Story is something the server tells beside the SLOs: the demo's
// narration, with the resource alerts an operations team without SLOs
// would have had against the SLO alerts.
type Story interface {
	Story() StoryView
}

// StoryView is what the overview shows of a story.
type StoryView struct {
	Title      string      `json:"title"`
	Milestones []Milestone `json:"milestones"`
	// ResourceAlerts are threshold alerts on CPU, memory and queue fill,
	// by resource; ResourceMattered those that came while customers were
	// affected.
	ResourceAlerts   map[string]int `json:"resourceAlerts"`
	ResourceTotal    int            `json:"resourceTotal"`
	ResourceMattered int            `json:"resourceMattered"`
	// SLOPages and SLOTickets are the burn-rate alerts that fired; the
	// Mattered counts those that came while customers were affected.
	SLOPages           int `json:"sloPages"`
	SLOTickets         int `json:"sloTickets"`
	SLOPagesMattered   int `json:"sloPagesMattered"`
	SLOTicketsMattered int `json:"sloTicketsMattered"`
	// Now says how the story plays for someone who just arrived, e.g. how
	// fast; empty once it is told.
	Now string `json:"now,omitempty"`
	// Refresh, when positive, reloads the overview every so many seconds
	// while the story plays.
	Refresh int `json:"refresh,omitempty"`
	// Link, when set, is where to look next, e.g. once the story is told.
	Link *StoryLink `json:"link,omitempty"`
}

// StoryLink is a link the story panel offers.
type StoryLink struct {
	Text string `json:"text"`
	Href string `json:"href"`
}

// Step is a milestone as the overview lists it.
type Step struct {
	At time.Time
	// When is the time, with the day and date where the day differs from
	// the step before (and on the first), so that a week's steps read in
	// order: "Mon Nov 2 12:05", then "13:10", then "Mon Nov 9 10:15".
	When string
	Text string
}

// Steps are the milestones newest first, so the newest stay in view while
// the story grows; each says its day where the day changes.
func (v StoryView) Steps() []Step {
	out := make([]Step, len(v.Milestones))
	var day string
	for i, m := range v.Milestones {
		when := m.At.Format("15:04")
		if d := m.At.Format("Mon Jan 2"); d != day {
			when, day = d+" "+when, d
		}
		out[len(out)-1-i] = Step{At: m.At, When: when, Text: m.Text}
	}
	return out
}

// Milestone is one step of the story.
type Milestone struct {
	Name string    `json:"name"`
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

func (s *Server) getStory(w http.ResponseWriter, r *http.Request) {
	if s.opts.Story == nil {
		writeJSON(w, http.StatusNotFound, apiError{Error: errorBody{Code: "not_found", Message: "no story: this Accord runs no demo"}})
		return
	}
	writeJSON(w, http.StatusOK, s.opts.Story.Story())
}
