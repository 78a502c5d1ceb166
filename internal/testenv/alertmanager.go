package testenv

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// AMNotification is one alert in a notification Alertmanager sent to its
// webhook receiver.
type AMNotification struct {
	Status string            `json:"status"`
	Labels map[string]string `json:"labels"`
}

// Alertmanager is a running Alertmanager whose one receiver is a webhook
// the test reads.
type Alertmanager struct {
	URL string
	mu  sync.Mutex
	got []AMNotification
}

// Received returns every alert Alertmanager has notified, in order.
func (a *Alertmanager) Received() []AMNotification {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]AMNotification(nil), a.got...)
}

// StartAlertmanager runs the Debian prometheus-alertmanager binary with
// one route to a webhook in the test, grouping by alert and SLO and
// notifying at once.
func StartAlertmanager(tb testing.TB) *Alertmanager {
	tb.Helper()
	bin := Binary(tb, "prometheus-alertmanager", "prometheus-alertmanager")
	am := &Alertmanager{}
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var msg struct {
			Alerts []AMNotification `json:"alerts"`
		}
		if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		am.mu.Lock()
		am.got = append(am.got, msg.Alerts...)
		am.mu.Unlock()
	}))
	tb.Cleanup(rcv.Close)
	dir := tb.TempDir()
	config := fmt.Sprintf(`route:
  receiver: test
  group_by: [alertname, slo, burn_window]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 24h
receivers:
  - name: test
    webhook_configs:
      - url: %s
        send_resolved: true
`, rcv.URL)
	if err := os.WriteFile(filepath.Join(dir, "alertmanager.yml"), []byte(config), 0o644); err != nil {
		tb.Fatal(err)
	}
	addr := FreeAddr(tb)
	Start(tb, dir, bin, "--config.file="+filepath.Join(dir, "alertmanager.yml"),
		"--storage.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr,
		"--cluster.listen-address=")
	am.URL = "http://" + addr
	WaitHTTP(tb, am.URL+"/-/ready", 30*time.Second)
	return am
}
