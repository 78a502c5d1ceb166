package testenv

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// History is past data for a Prometheus to serve.
type History struct {
	// OpenMetrics writes the samples as OpenMetrics text, ending with
	// "# EOF"; promtool makes them into blocks.
	OpenMetrics func(w io.Writer) error
	// Rules is a rule file of recording rules promtool backfills from
	// Start to End, evaluated every minute (record ALERTS to make alerts
	// that fired); empty for none.
	Rules      string
	Start, End time.Time
}

// StartPrometheusOn runs the Debian prometheus binary on a TSDB made from
// h with `promtool tsdb create-blocks-from openmetrics` and, for h.Rules,
// `create-blocks-from rules`, and returns its URL. It scrapes nothing.
func StartPrometheusOn(tb testing.TB, h History) string {
	tb.Helper()
	bin := Binary(tb, "prometheus", "prometheus")
	promtool := Binary(tb, "promtool", "prometheus")
	dir := tb.TempDir()
	data := filepath.Join(dir, "data")
	input := filepath.Join(dir, "history.om")
	if err := writeFile(input, h.OpenMetrics); err != nil {
		tb.Fatal(err)
	}
	// One block for the whole history: promtool reads the input once per
	// block, and its default of two hours takes minutes for a month.
	span := fmt.Sprintf("--max-block-duration=%dh", int(h.End.Sub(h.Start).Hours())+48)
	run(tb, dir, promtool, "tsdb", "create-blocks-from", "openmetrics", span, input, data)
	config := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(config, []byte("global: {}\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	addr := FreeAddr(tb)
	start := func() *Process {
		p := Start(tb, dir, bin, "--config.file="+config, "--storage.tsdb.path="+data,
			"--storage.tsdb.retention.time=100y", "--web.listen-address="+addr)
		WaitHTTP(tb, "http://"+addr+"/-/ready", 60*time.Second)
		return p
	}
	p := start()
	if h.Rules == "" {
		return "http://" + addr
	}
	rules := filepath.Join(dir, "rules.yml")
	if err := os.WriteFile(rules, []byte(h.Rules), 0o644); err != nil {
		tb.Fatal(err)
	}
	out := filepath.Join(dir, "rules-out")
	// A week per block keeps each range query under Prometheus' 11,000
	// points at one evaluation a minute.
	run(tb, dir, promtool, "tsdb", "create-blocks-from", "rules", "--max-block-duration=168h",
		"--start="+h.Start.Format(time.RFC3339), "--end="+h.End.Format(time.RFC3339),
		"--url=http://"+addr, "--output-dir="+out, "--eval-interval=60s", rules)
	p.Stop()
	blocks, err := os.ReadDir(out)
	if err != nil {
		tb.Fatal(err)
	}
	for _, b := range blocks {
		if err := os.Rename(filepath.Join(out, b.Name()), filepath.Join(data, b.Name())); err != nil {
			tb.Fatal(err)
		}
	}
	start()
	return "http://" + addr
}

// run runs a program to completion and fails the test if it fails.
func run(tb testing.TB, dir, bin string, args ...string) {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("%s %v: %v\n%s", filepath.Base(bin), args, err, tail(string(out), 4000))
	}
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := write(w); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
