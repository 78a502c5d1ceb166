package chart

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

func TestNiceTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		want   []float64
	}{
		{0, 1, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{99, 100, []float64{99, 99.2, 99.4, 99.6, 99.8, 100}},
		{-3, 47, []float64{0, 10, 20, 30, 40}},
	}
	for _, c := range cases {
		got := niceTicks(c.lo, c.hi, 5)
		if len(got) != len(c.want) {
			t.Errorf("%v..%v: %v, want %v", c.lo, c.hi, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%v..%v: %v, want %v", c.lo, c.hi, got, c.want)
				break
			}
		}
	}
}

func TestTimeTicksPickRoundTimesAndLabels(t *testing.T) {
	from := time.Date(2026, 11, 1, 10, 17, 0, 0, time.UTC)
	day := timeTicks(from, from.Add(24*time.Hour), 6)
	var labels []string
	for _, tk := range day {
		labels = append(labels, tk.label)
		if tk.at.Minute() != 0 || tk.at.Hour()%6 != 0 {
			t.Errorf("tick at %s is not on a 6-hour boundary", tk.at)
		}
	}
	if got := strings.Join(labels, " "); got != "12:00 18:00 Nov 2 06:00" {
		t.Errorf("a day's tick labels %q, want 12:00 18:00 Nov 2 06:00", got)
	}
	three := timeTicks(from, from.Add(3*24*time.Hour), 6)
	var threeLabels []string
	for _, tk := range three {
		threeLabels = append(threeLabels, tk.label)
	}
	if got := strings.Join(threeLabels, " "); got != "12:00 Nov 2 12:00 Nov 3 12:00 Nov 4" {
		t.Errorf("three days' tick labels %q: the time of day, and the date at midnight", got)
	}
	month := timeTicks(from, from.Add(30*24*time.Hour), 6)
	if len(month) < 4 || len(month) > 7 || month[0].label != "Nov 8" {
		t.Errorf("a month's ticks: %+v, want weekly date labels from Nov 8", month)
	}
}

func TestSVGIsWellFormedAndBreaksAtGaps(t *testing.T) {
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	pts := []Point{{from, 1, true}, {from.Add(time.Hour), 2, true}, {from.Add(2 * time.Hour), 0, false}, {from.Add(3 * time.Hour), 3, true}}
	c := Chart{Title: `SLI <"checkout">`, From: from, To: from.Add(4 * time.Hour), Unit: "%",
		Series:  []Series{{Name: "SLI", Points: pts, Class: "s1"}},
		Lines:   []Line{{Y: 2.5, Label: "objective", Class: "objective"}},
		Markers: []Marker{{T: from.Add(90 * time.Minute), Label: "deploy v1.2 & more", Class: "deploy"}}}
	svg := string(c.SVG())
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
		t.Fatalf("SVG is not well-formed XML: %v\n%s", err, svg)
	}
	// Two runs of data: the path starts twice.
	start := strings.Index(svg, `class="series s1" d="`)
	if start < 0 {
		t.Fatalf("no path for the SLI series:\n%s", svg)
	}
	d := svg[start:]
	d = d[:strings.Index(d, `"><title>`)]
	if strings.Count(d, "M") != 2 {
		t.Errorf("path %q should break at the gap into two runs", d)
	}
	for _, want := range []string{`aria-label="SLI &lt;&#34;checkout&#34;&gt;"`, "objective", "deploy v1.2 &amp; more", ">%<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %s", want)
		}
	}
}
