package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConvertToAccordNeedsOwners converts a spec whose SLO names no team:
// without --owner convert names it and writes nothing; with --owner the
// output validates.
func TestConvertToAccordNeedsOwners(t *testing.T) {
	in := "../../internal/spec/openslo/testdata/good/v1alpha-sloth.yaml"
	out, errOut, err := run(t, "convert", "--to", "accord", in)
	if err == nil || out != "" {
		t.Fatalf("convert without owners: err=%v, wrote %d bytes", err, len(out))
	}
	if !strings.Contains(errOut, "these have none: api/api-availability") || !strings.Contains(errOut, "add --owner TEAM") {
		t.Errorf("stderr does not name the SLO and the fix:\n%s", errOut)
	}

	out, errOut, err = run(t, "convert", "--to", "accord", "--owner", "api-team", in)
	if err != nil {
		t.Fatalf("convert --owner: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "owner api-team given to 1 service: api") || !strings.Contains(out, "team: api-team") {
		t.Errorf("stderr:\n%s\noutput:\n%s", errOut, out)
	}
	path := filepath.Join(t.TempDir(), "converted.yaml")
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := run(t, "validate", path); err != nil {
		t.Errorf("converted spec does not validate: %v\n%s", err, errOut)
	}
}

// TestConvertExcludes leaves a directory's broken file out by pattern.
func TestConvertExcludes(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile("../../internal/spec/sloth/testdata/good/payments.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"payments.yaml": string(good), "drafts/broken.yaml": "apiVersion: accord/v1\nkind: Nope\n"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := run(t, "convert", "--to", "openslo", dir); err == nil {
		t.Fatal("the broken draft should fail the conversion")
	}
	out, errOut, err := run(t, "convert", "--to", "openslo", "--exclude", "drafts", dir)
	if err != nil || !strings.Contains(out, "name: requests-availability") {
		t.Errorf("convert --exclude drafts: %v\n%s", err, errOut)
	}
}
