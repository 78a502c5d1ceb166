// Package rules turns SLOs into what Prometheus-compatible backends run and
// show: recording and alerting rules (for Prometheus, Thanos Ruler, the
// Mimir ruler or the Prometheus Operator) and a Grafana dashboard over the
// recorded series.
//
// The rules agree with Accord's engine: the burn-rate alerts are
// engine.Rules, with the engine's labels, and the error ratios are counted
// the way the engine's Prometheus source counts them. To keep Prometheus'
// work small, only the 5-minute rates read raw series; every longer window
// is derived from those recordings (see docs/prometheus.md).
package rules
