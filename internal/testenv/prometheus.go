package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// StartPrometheus runs the Debian prometheus binary scraping target
// (host:port) every second, and returns its URL.
func StartPrometheus(tb testing.TB, target string) string {
	tb.Helper()
	bin := Binary(tb, "prometheus", "prometheus")
	dir := tb.TempDir()
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: exporter
    static_configs:
      - targets: ['%s']
`, target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o644); err != nil {
		tb.Fatal(err)
	}
	addr := FreeAddr(tb)
	Start(tb, dir, bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
	url := "http://" + addr
	WaitHTTP(tb, url+"/-/ready", 60*time.Second)
	return url
}
