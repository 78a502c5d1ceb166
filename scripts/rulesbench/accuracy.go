package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"time"
)

// window is an error ratio over one window as each tool gives it: PromQL
// for Accord's (what its alerts and budget compute) and Sloth's recording.
type window struct {
	name          string
	span          time.Duration
	accord, sloth string
}

// windows are the windows of 30 minutes and longer that the rules of a
// 30-day SLO with the Workbook's alerts compute.
var windows = []window{
	{"30m", 30 * time.Minute, accordRatio("increase1m", "29m30s"), "slo:sli_error:ratio_rate30m"},
	{"1h", time.Hour, accordRatio("increase1m", "59m30s"), "slo:sli_error:ratio_rate1h"},
	{"2h", 2 * time.Hour, accordRatio("increase1m", "1h59m30s"), "slo:sli_error:ratio_rate2h"},
	{"6h", 6 * time.Hour, accordRatio("increase1m", "5h59m30s"), "slo:sli_error:ratio_rate6h"},
	{"1d", 24 * time.Hour, accordRatio("increase5m", "23h59m30s"), "slo:sli_error:ratio_rate1d"},
	{"3d", 72 * time.Hour, accordRatio("increase5m", "2d23h59m30s"), "slo:sli_error:ratio_rate3d"},
	{"30d", 720 * time.Hour, "(1 - slo:error_budget_remaining:ratio) * 0.001", "slo:sli_error:ratio_rate30d"},
}

func accordRatio(tiles, span string) string {
	return fmt.Sprintf("sum_over_time(slo:sli_error:%[1]s[%[2]s]) / sum_over_time(slo:sli_total:%[1]s[%[2]s])", tiles, span)
}

// accuracy prints, for every window, how far each tool's error ratio of
// every SLO is from the true one (the model's, over the window ending at
// the query): the median and the largest relative deviation. Then how full
// each tool's long windows are, against the model's events.
func accuracy(w io.Writer, accordURL, slothURL string, n int) error {
	fmt.Fprintf(w, "window  %-32s  %-32s\n", "accord |r−true|/true median, max", "sloth median, max")
	for _, win := range windows {
		a, err := deviations(accordURL, win.accord, "slo", win.span, n)
		if err != nil {
			return err
		}
		s, err := deviations(slothURL, win.sloth, "sloth_slo", win.span, n)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%-6s  %-32s  %-32s\n", win.name, a, s)
	}
	return fill(w, accordURL, slothURL, n)
}

// deviations sums up the relative deviations of q's ratios from the true
// ones over the span up to the query's time, labelled by SLO with sloLabel.
func deviations(base, q, sloLabel string, span time.Duration, n int) (string, error) {
	res, err := query(base, q)
	if err != nil {
		return "", err
	}
	var devs []float64
	for _, s := range res {
		i, err := sloIndex(s.labels[sloLabel])
		if err != nil {
			return "", err
		}
		want := trueRatio(i, s.at-span.Seconds(), s.at)
		devs = append(devs, math.Abs(s.value-want)/want)
	}
	if len(devs) == 0 {
		return "no series", nil
	}
	return fmt.Sprintf("%.4f%%, %.4f%% (%d of %d SLOs)", 100*median(devs), 100*slices.Max(devs), len(devs), n), nil
}

// fill prints how much of each long window the series hold: Accord's
// events over 6h, 3d and 30d against the model's (the windows end at the
// last minute, 5-minute tile and hour), and the share of 30 days of
// 5-minute ratios Sloth's 30-day ratio averages.
func fill(w io.Writer, accordURL, slothURL string, n int) error {
	now := float64(time.Now().UnixMilli()) / 1000
	for _, c := range []struct {
		q    string
		span time.Duration
	}{
		{"sum_over_time(slo:sli_total:increase1m[5h59m30s])", 6 * time.Hour},
		{"sum_over_time(slo:sli_total:increase5m[2d23h59m30s])", 72 * time.Hour},
		{"slo:sli_total:increase30d", 720 * time.Hour},
	} {
		res, err := query(accordURL, c.q)
		if err != nil {
			return err
		}
		var shares []float64
		for _, s := range res {
			i, err := sloIndex(s.labels["slo"])
			if err != nil {
				return err
			}
			shares = append(shares, s.value/(total(i, now)-total(i, now-c.span.Seconds())))
		}
		if len(shares) == 0 {
			return fmt.Errorf("accord: no %s", c.q)
		}
		fmt.Fprintf(w, "accord %s: %.4f–%.4f of the model's events (%d SLOs)\n", c.q, slices.Min(shares), slices.Max(shares), len(shares))
	}
	// The first service's SLOs: all of them would exceed a query's sample limit.
	res, err := query(slothURL, `count_over_time(slo:sli_error:ratio_rate5m{sloth_service="svc-000"}[30d])`)
	if err != nil {
		return err
	}
	var shares []float64
	for _, s := range res {
		shares = append(shares, s.value/(30*24*60))
	}
	if len(shares) == 0 {
		return fmt.Errorf("sloth: no 5-minute ratios")
	}
	fmt.Fprintf(w, "sloth count_over_time(slo:sli_error:ratio_rate5m[30d]): %.4f–%.4f of 30 days of minutes (%d SLOs)\n", slices.Min(shares), slices.Max(shares), len(shares))
	return nil
}
