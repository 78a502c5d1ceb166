package report

import "testing"

// TestPlural checks the counts reports write: "1 request", not "1
// requests".
func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n    any
		want string
	}{{1, "1 request"}, {0, "0 requests"}, {3, "3 requests"}, {1.0, "1 request"}, {400.0, "400 requests"}} {
		if got := plural(c.n, "request"); got != c.want {
			t.Errorf("plural(%v) = %q, want %q", c.n, got, c.want)
		}
	}
}
