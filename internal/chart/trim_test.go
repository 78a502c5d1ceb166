package chart

import "testing"

func TestTrim(t *testing.T) {
	for in, want := range map[float64]string{100: "100", 99.5: "99.5", 0.25: "0.25", 0: "0", -0.001: "0", 14.4: "14.4", 1.005: "1", -2.5: "-2.5"} {
		if got := Trim(in); got != want {
			t.Errorf("Trim(%g) = %q, want %q", in, got, want)
		}
	}
}
