package spec_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// writeTree writes files (path → content) under a temporary directory
// and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func diagLines(res *spec.Result, dir string) []string {
	var out []string
	for _, d := range res.Diags.Items() {
		out = append(out, strings.TrimPrefix(d.String(), dir+string(filepath.Separator)))
	}
	return out
}

const service = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos, productOwner: maria}
  runbook: https://wiki.example.com/checkout
  slos:
    - {name: receipts, objective: 99.5, window: 7d, indicator: {ratio: {stream: receipts}}}
`

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: pyrra}
spec: {replicas: 1}
`

func TestDirectoriesSkipOtherYAMLWithOneNoteEach(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"slos/checkout.yaml":          service,
		"manifests/deployment.yaml":   deployment + "---\n" + strings.Replace(deployment, "Deployment", "Service", 1),
		"manifests/mixed.yaml":        deployment + "---\n" + strings.ReplaceAll(service, "checkout", "tills"),
		"helm/templates/config.yaml":  "{{- if .Values.enabled }}\nkey: {{ .Values.key }}\n{{- end }}\n",
		"dashboards/overview.json":    `{"title": "SLOs", "panels": []}`,
		"sloth/windows.yaml":          "apiVersion: sloth.slok.dev/v1\nkind: AlertWindows\nspec: {}\n",
		"setup/pyrra-crd.yaml":        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n",
		"broken/typo.yaml":            "apiVersion: openslo/v2\nkind: SLO\n",
		"broken/forgot-version.yaml":  "kind: SLO\nmetadata: {name: x}\n",
		".hidden/ignored-broken.yaml": "{{",
	})
	res, err := spec.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`broken/forgot-version.yaml:1:1: kind SLO without apiVersion: give the format, e.g. apiVersion: accord/v1 or openslo/v1`,
		`broken/typo.yaml:1:1: apiVersion "openslo/v2" is not a version Accord reads`,
		`dashboards/overview.json:1:1: note: skipped: no SLO spec in this file (no apiVersion)`,
		`helm/templates/config.yaml:1:1: note: skipped: not valid YAML and no SLO spec`,
		`manifests/deployment.yaml:1:1: note: skipped: no SLO spec in this file (apps/v1 Deployment, apps/v1 Service)`,
		`manifests/mixed.yaml:1:1: note: skipped 1 documents that are no SLO spec (apps/v1 Deployment)`,
		`setup/pyrra-crd.yaml:1:1: note: skipped: no SLO spec in this file (apiextensions.k8s.io/v1 CustomResourceDefinition)`,
		`sloth/windows.yaml:1:1: note: skipped: no SLO spec in this file (Sloth AlertWindows: Accord scales its alert windows with each SLO's window)`,
	}
	got := diagLines(res, dir)
	if len(got) != len(want) {
		t.Fatalf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("diagnostic %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
	if len(res.Catalog.SLOs) != 2 {
		t.Errorf("SLOs = %d, want the 2 beside the manifests", len(res.Catalog.SLOs))
	}
	var skipped []string
	for _, f := range res.Skipped {
		skipped = append(skipped, filepath.Base(f))
	}
	slices.Sort(skipped)
	if strings.Join(skipped, " ") != "config.yaml deployment.yaml overview.json pyrra-crd.yaml windows.yaml" {
		t.Errorf("skipped = %v", skipped)
	}
}

func TestNamedFileThatIsNoSpecIsAnError(t *testing.T) {
	dir := writeTree(t, map[string]string{"deployment.yaml": deployment})
	res, err := spec.Load(filepath.Join(dir, "deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := diagLines(res, dir); len(got) != 1 || !strings.HasPrefix(got[0], `deployment.yaml:1:1: apps/v1 Deployment is not a format Accord reads`) {
		t.Errorf("diagnostics = %q", got)
	}
}

func TestExclude(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"slos/checkout.yaml":      service,
		"slos/setup/crd.yaml":     "apiVersion: openslo/v2\n", // an error unless excluded
		"slos/old/checkout.yaml":  service,                    // a duplicate unless excluded
		"slos/wip-payments.yaml":  "apiVersion: accord/v1\nkind: Nonsense\n",
		"slos/payments-wip.yml":   "apiVersion: accord/v1\nkind: Nonsense\n",
		"slos/nested/a/setup/x.y": "not read: not a spec extension",
	})
	res, err := spec.LoadWith(spec.Options{Exclude: []string{"setup", "old/*", "wip-*", "*-wip.yml"}}, filepath.Join(dir, "slos"))
	if err != nil {
		t.Fatal(err)
	}
	if got := diagLines(res, dir); len(got) != 0 {
		t.Errorf("diagnostics = %q", got)
	}
	if len(res.Files) != 1 || filepath.Base(res.Files[0]) != "checkout.yaml" {
		t.Errorf("files = %v", res.Files)
	}
	if _, err := spec.LoadWith(spec.Options{Exclude: []string{"[x"}}, dir); err == nil || !strings.Contains(err.Error(), `exclude pattern "[x"`) {
		t.Errorf("a bad pattern: err = %v", err)
	}
}

// TestListsOfObjects reads a YAML sequence of objects and a JSON array on
// one line, and names each element in its diagnostics rather than only
// the line all of them share.
func TestListsOfObjects(t *testing.T) {
	res := spec.LoadBytes("slos.json", []byte(`[{"apiVersion":"openslo/v1","kind":"Service","metadata":{"name":"web","labels":{"team":"web"}}},`+
		`{"apiVersion":"openslo/v1","kind":"Service","metadata":{"name":"api"},"spec":{"descripton":"typo"}}]`))
	var got []string
	for _, d := range res.Diags.Items() {
		got = append(got, d.String())
	}
	want := `slos.json:1:175: [1].spec.descripton: unknown field "descripton" (did you mean "description"?)`
	if len(got) != 1 || got[0] != want {
		t.Errorf("diagnostics = %q, want %q", got, want)
	}
	if len(res.Catalog.Services) != 2 {
		t.Errorf("services = %+v", res.Catalog.Services)
	}

	res = spec.LoadBytes("list.yaml", []byte(`apiVersion: v1
kind: List
items:
  - apiVersion: pyrra.dev/v1alpha1
    kind: ServiceLevelObjective
    metadata: {name: api-errors, namespace: monitoring, labels: {pyrra.dev/team: api}}
    spec:
      target: "99"
      window: 2w
      indicator:
        ratio:
          errors: {metric: 'http_requests_total{code=~"5.."}'}
          total: {metric: 'http_requests_total'}
  - apiVersion: pyrra.dev/v1alpha1
    kind: ServiceLevelObjective
    metadata: {name: api-latency, namespace: monitoring}
    spec: {target: 99, window: 2w, indicater: {}}
`))
	if len(res.Catalog.SLOs) != 2 {
		t.Fatalf("SLOs = %d, want both items of the List", len(res.Catalog.SLOs))
	}
	found := false
	for _, d := range res.Diags.Items() {
		found = found || d.Severity == diag.Error && d.Path == "items[1].spec.indicater"
	}
	if !found {
		t.Errorf("want an error at items[1].spec.indicater, got %v", res.Diags.Items())
	}
}

// TestTrailingDocumentSeparatorIsNoDocument checks that a file ending in
// `---` (with or without a comment after it), as three of a public Pyrra
// repository's files do, loads without a diagnostic, both named on the
// command line and found in a directory.
func TestTrailingDocumentSeparatorIsNoDocument(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a/checkout.yaml": "---\n" + service + "---\n",
		"b/checkout.yaml": service + "---\n# the end\n",
	})
	for _, path := range []string{"a/checkout.yaml", "b/checkout.yaml", "a", "b"} {
		res, err := spec.Load(filepath.Join(dir, path))
		if err != nil {
			t.Fatal(err)
		}
		if lines := diagLines(res, dir); len(lines) != 0 {
			t.Errorf("%s: want no diagnostics, got %q", path, lines)
		}
		if len(res.Catalog.SLOs) != 1 {
			t.Errorf("%s: %d SLOs, want 1", path, len(res.Catalog.SLOs))
		}
	}
}

// TestAWrongWindowHasNoFollowOnErrors checks that a window that cannot be
// read is the only error: the time slice is not then compared with a
// window of 0s.
func TestAWrongWindowHasNoFollowOnErrors(t *testing.T) {
	slos := strings.Replace(service, "window: 7d,", "window: 30 days, budgeting: {method: timeslices, sliceLength: 1h, sliceTarget: 90},", 1)
	dir := writeTree(t, map[string]string{"s.yaml": slos})
	res, err := spec.Load(filepath.Join(dir, "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var errs []string
	for _, d := range res.Diags.Items() {
		if d.Severity == diag.Error {
			errs = append(errs, d.String())
		}
	}
	if len(errs) != 1 || !strings.Contains(errs[0], `window: must be a duration such as 30d, 6h or 5m, not "30 days"`) {
		t.Errorf("errors %q, want only the window's", errs)
	}
}
