package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/testenv"
)

// readmeCommands returns the commands of the sh blocks in the README
// section under heading, a command continued with a backslash joined into
// one line.
func readmeCommands(t *testing.T, heading string) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "\n"+heading+"\n")
	if start < 0 {
		t.Fatalf("the README has no section %q", heading)
	}
	section := text[start+len(heading)+2:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var cmds []string
	inBlock, cont := false, ""
	for _, line := range strings.Split(section, "\n") {
		switch {
		case strings.HasPrefix(line, "```"):
			inBlock = line == "```sh"
		case inBlock:
			line = cont + strings.TrimSpace(line)
			if strings.HasSuffix(line, "\\") {
				cont = strings.TrimSuffix(line, "\\")
				continue
			}
			cont = ""
			if line != "" {
				cmds = append(cmds, line)
			}
		}
	}
	return cmds
}

// readmeCommand returns the README command that starts with prefix.
func readmeCommand(t *testing.T, cmds []string, prefix string) string {
	t.Helper()
	for _, c := range cmds {
		if strings.HasPrefix(c, prefix) {
			return c
		}
	}
	t.Fatalf("the README's commands %q have none starting %q", cmds, prefix)
	return ""
}

// TestReadmePushThenStatus runs "Try it with your own SLOs" as the README
// writes it: build, serve the examples (on a free port, with a temporary
// data directory), push its events with its token, and run status once,
// right after the push.
func TestReadmePushThenStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	cmds := readmeCommands(t, "## Try it with your own SLOs")
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}

	// go build -o accord ./cmd/accord, into a temporary directory.
	build := strings.Fields(readmeCommand(t, cmds, "go build "))
	bin := filepath.Join(t.TempDir(), "accord")
	for i, f := range build {
		if f == "-o" {
			build[i+1] = bin
		}
	}
	cmd := exec.Command(build[0], build[1:]...)
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(build, " "), err, out)
	}

	// ./accord serve --config examples/, with the default evaluation interval.
	data, addr := t.TempDir(), testenv.FreeAddr(t)
	serveArgs := strings.Fields(readmeCommand(t, cmds, "./accord serve "))[1:]
	testenv.Start(t, repo, bin, append(serveArgs, "--data-dir", data, "--addr", addr)...)
	testenv.WaitHTTP(t, "http://"+addr+"/readyz", 30*time.Second)

	// curl -X POST -H "Authorization: Bearer $(cat accord-data/token)" -H "Idempotency-Key: K" URL --data-binary $'…'
	curl := readmeCommand(t, cmds, "curl ")
	url := regexp.MustCompile(`http://127\.0\.0\.1:8080(/\S+)`).FindStringSubmatch(curl)
	body := regexp.MustCompile(`--data-binary \$'([^']*)'`).FindStringSubmatch(curl)
	key := regexp.MustCompile(`-H "Idempotency-Key: ([^"]+)"`).FindStringSubmatch(curl)
	if url == nil || body == nil || key == nil || !strings.Contains(curl, "$(cat accord-data/token)") {
		t.Fatalf("cannot read the push from the README's %q", curl)
	}
	token, err := os.ReadFile(filepath.Join(data, "token"))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+url[1], strings.NewReader(strings.ReplaceAll(body[1], `\n`, "\n")))
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	req.Header.Set("Idempotency-Key", key[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("the README's push answered %s", resp.Status)
	}

	// ./accord status, once: the push shows at once, not after the next
	// evaluation 15 seconds later.
	statusArgs := strings.Fields(readmeCommand(t, cmds, "./accord status"))[1:]
	out, err := exec.Command(bin, append(statusArgs, "--server", "http://"+addr)...).CombinedOutput()
	if err != nil {
		t.Fatalf("accord status: %v\n%s", err, out)
	}
	var line string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "checkout/receipt-printing") {
			line = l
		}
	}
	if !strings.Contains(line, "50.000%") {
		t.Errorf("right after the push, accord status shows receipt-printing as %q, want its SLI of 50.000%% (one good, one bad); it printed:\n%s", line, out)
	}
	var v struct {
		Status struct {
			Counts struct{ Good, Total float64 } `json:"counts"`
		} `json:"status"`
	}
	resp, err = http.Get("http://" + addr + "/api/v1/slos/checkout/receipt-printing")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	if c := v.Status.Counts; c.Good != 1 || c.Total != 2 {
		t.Errorf("the API counts %+v for receipt-printing, want 1 good of 2", c)
	}
}
