package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files from the current output")

// run executes the accord command line in-process and returns what it
// wrote and whether it failed.
func run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newRootCmd(&out, &errOut)
	cmd.SetArgs(args)
	err = cmd.Execute()
	return out.String(), errOut.String(), err
}

// golden compares got with the golden file at path, rewriting it with
// -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test ./cmd/accord -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestVersion(t *testing.T) {
	out, _, err := run(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < len("accord x") || out[:7] != "accord " {
		t.Errorf("version output = %q", out)
	}
}

func TestUnknownOutputFormat(t *testing.T) {
	_, _, err := run(t, "validate", "-o", "yaml", "../../examples")
	if err == nil || err.Error() != `--output "yaml": must be text or json` {
		t.Errorf("err = %v", err)
	}
}

func TestMissingPath(t *testing.T) {
	_, _, err := run(t, "validate", "does-not-exist")
	if err == nil {
		t.Fatal("validate of a missing path succeeded")
	}
}
