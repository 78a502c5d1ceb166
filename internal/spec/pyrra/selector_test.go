package pyrra

import "testing"

func TestParseSelector(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{`http_requests_total`, `http_requests_total`, ""},
		{`http_requests_total{job="pos", code=~"5.."}`, `http_requests_total{code=~"5..", job="pos"}`, ""},
		{` a:b_c{le="0.5",x!="y\"z"} `, `a:b_c{le="0.5", x!="y\"z"}`, ""},
		{`{__name__="up"}`, `{__name__="up"}`, ""},
		{`up{job=pos}`, "", `selector "up{job=pos}": want a quoted value for label "job"`},
		{`up{job}`, "", `selector "up{job}": want =, !=, =~ or !~ after label "job"`},
		{`up{job="a" x="b"}`, "", `selector "up{job=\"a\" x=\"b\"}": want ',' between matchers at "x=\"b\""`},
		{`sum(up)`, "", `selector "sum(up)": want metric{label="value", ...}`},
		{``, "", `empty selector`},
	}
	for _, tt := range tests {
		sel, err := parseSelector(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("parseSelector(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || sel.String() != tt.want {
			t.Errorf("parseSelector(%q) = %q, %v; want %q", tt.in, sel.String(), err, tt.want)
		}
	}
}

func FuzzSelector(f *testing.F) {
	for _, s := range []string{`a{b="c"}`, `x_bucket{le="0.1",job=~"a|b"}`, `{a!~"\\d"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sel, err := parseSelector(s)
		if err != nil {
			return
		}
		again, err := parseSelector(sel.String())
		if err != nil || again.String() != sel.String() {
			t.Errorf("%q renders as %q, which reads back as %q (%v)", s, sel.String(), again.String(), err)
		}
	})
}
