package chart

import (
	"encoding/xml"
	"math"
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
	pts := []Point{{from, 1, true}, {from.Add(time.Hour), 2, true}, {from.Add(2 * time.Hour), 0, false}, {from.Add(3 * time.Hour), 3, true}, {from.Add(4 * time.Hour), 2, true}}
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

// TestIsolatedPointsAreDrawn: one-minute data with gaps between every
// point still draws each point, as a dot.
func TestIsolatedPointsAreDrawn(t *testing.T) {
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var pts []Point
	for m := 0; m < 6; m++ {
		pts = append(pts, Point{T: from.Add(time.Duration(m) * time.Minute), V: 99, OK: m%2 == 0})
	}
	line, dots := path(pts, func(time.Time) float64 { return 1 }, func(float64) float64 { return 2 })
	if got := strings.Count(dots, "h0"); got != 3 || line != "" {
		t.Errorf("line %q, dots %q: want the 3 isolated points as dots", line, dots)
	}
	svg := string(Chart{From: from, To: from.Add(6 * time.Minute), Series: []Series{{Name: "SLI", Points: pts, Class: "s1"}}}.SVG())
	if !strings.Contains(svg, `<path class="series s1 dot" d="M`) || !strings.Contains(svg, `stroke-linecap="round"`) {
		t.Errorf("no dots path with round caps, which draw zero-length runs:\n%s", svg)
	}
}

// TestLineLabelsDoNotOverlap: the burn-rate chart's thresholds at 1, 6
// and 14.4 on a chart reaching 920 lie within pixels of each other; their
// labels are spread at least a text line apart.
func TestLineLabelsDoNotOverlap(t *testing.T) {
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	zero := 0.0
	c := Chart{From: from, To: from.Add(time.Hour), Height: 280, YMin: &zero,
		Series: []Series{{Points: []Point{{from, 920, true}, {from.Add(time.Hour), 900, true}}}},
		Lines:  []Line{{Y: 14.4, Label: "page"}, {Y: 6, Label: "page"}, {Y: 1, Label: "even spend"}}}
	lo, hi := c.yRange()
	y := func(v float64) float64 { return padTop + float64(c.Height-padTop-padBottom)*(1-(v-lo)/(hi-lo)) }
	pos := c.lineLabels(y, lo, hi)
	for i := range pos {
		for j := i + 1; j < len(pos); j++ {
			if gap := math.Abs(pos[i] - pos[j]); gap < labelGap {
				t.Errorf("labels %d and %d are %.1f px apart, under %d", i, j, gap, labelGap)
			}
		}
		if pos[i] > float64(c.Height-padBottom) || pos[i] < padTop {
			t.Errorf("label %d at y=%.1f is outside the plot", i, pos[i])
		}
	}
	// The highest line keeps the highest label.
	if !(pos[0] < pos[1] && pos[1] < pos[2]) {
		t.Errorf("labels %v are not in the order of their lines", pos)
	}
}
