// Package spec reads SLO specs — Accord's own accord/v1, OpenSLO v1, Sloth
// and Pyrra — from files, multi-document YAML and directories into one
// slo.Catalog, and checks the result as a whole: every problem is reported
// at once with its file, line, column and field.
package spec

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// formatLoader reads the documents of one format. Add sees each document as
// it is read; Finish resolves references between documents (OpenSLO SLIs
// and alert policies live in documents of their own) and returns the
// catalog.
type formatLoader interface {
	Add(d *decode.Doc)
	Finish(diags *diag.List) slo.Catalog
}

// Result is what loading found: the catalog and every diagnostic.
type Result struct {
	Catalog slo.Catalog
	Diags   diag.List
	// Files are the spec files read, in order.
	Files []string
}

// Load reads every spec file under paths (files, or directories walked
// recursively for .yaml and .yml files), then checks the catalog. It
// returns an error only when nothing could be read at all; problems in the
// specs are in Result.Diags.
func Load(paths ...string) (*Result, error) {
	files, err := expand(paths)
	if err != nil {
		return nil, err
	}
	res := &Result{Files: files}
	l := newLoader(&res.Diags)
	for _, f := range files {
		for d := range decode.ReadFile(f, &res.Diags) {
			l.add(d)
		}
	}
	res.Catalog = l.finish()
	Validate(&res.Catalog, &res.Diags)
	return res, nil
}

// LoadBytes reads one file's content as if it were at path; for tests and
// fuzzing.
func LoadBytes(path string, data []byte) *Result {
	res := &Result{Files: []string{path}}
	l := newLoader(&res.Diags)
	for d := range decode.ReadBytes(path, data, &res.Diags) {
		l.add(d)
	}
	res.Catalog = l.finish()
	Validate(&res.Catalog, &res.Diags)
	return res
}

// expand turns paths into the sorted list of spec files they name.
func expand(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read spec path %s: %w", p, err)
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() && isYAML(path) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk spec directory %s: %w", p, err)
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no spec files (.yaml, .yml) in %s", strings.Join(paths, ", "))
	}
	return files, nil
}

func isYAML(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".yaml" || ext == ".yml"
}

// loader dispatches each document to the loader of its format.
type loader struct {
	diags   *diag.List
	formats map[slo.Format]formatLoader
	order   []slo.Format
}

func newLoader(diags *diag.List) *loader {
	return &loader{diags: diags, formats: map[slo.Format]formatLoader{}}
}

func (l *loader) add(d decode.Document) {
	format, problem := Detect(d.Root)
	if problem != "" {
		l.diags.Errorf(slo.Origin{File: d.File, Line: d.Root.Line, Column: d.Root.Column}, "%s", problem)
		return
	}
	fl, ok := l.formats[format]
	if !ok {
		fl = newFormatLoader(format)
		l.formats[format] = fl
		l.order = append(l.order, format)
	}
	fl.Add(decode.NewDoc(d, format, l.diags))
}

func (l *loader) finish() slo.Catalog {
	var cat slo.Catalog
	for _, f := range l.order {
		cat.Merge(l.formats[f].Finish(l.diags))
	}
	return cat
}

// Detect says which format a document is in, or why it is in none.
func Detect(root *yaml.Node) (slo.Format, string) {
	if root == nil || root.Kind != yaml.MappingNode {
		return "", "not a spec: the document must be a mapping with apiVersion (accord/v1, openslo/v1, sloth.slok.dev/v1, pyrra.dev/v1alpha1) or version: prometheus/v1 (Sloth)"
	}
	api, kind, version := decode.Peek(root, "apiVersion"), decode.Peek(root, "kind"), decode.Peek(root, "version")
	switch {
	case api == "accord/v1":
		return slo.FormatAccord, ""
	case api == "openslo/v1":
		return slo.FormatOpenSLO, ""
	case strings.HasPrefix(api, "openslo/"):
		return "", fmt.Sprintf("apiVersion %q: only OpenSLO v1 (openslo/v1) is supported", api)
	case api == "sloth.slok.dev/v1" && kind == "PrometheusServiceLevel":
		return slo.FormatSloth, ""
	case api == "" && version == "prometheus/v1":
		return slo.FormatSloth, ""
	case api == "" && version != "":
		return "", fmt.Sprintf("version %q: Sloth specs must be version: prometheus/v1", version)
	case api == "pyrra.dev/v1alpha1" && kind == "ServiceLevelObjective":
		return slo.FormatPyrra, ""
	case api == "":
		return "", "not a spec: missing apiVersion (accord/v1, openslo/v1, sloth.slok.dev/v1, pyrra.dev/v1alpha1) or version: prometheus/v1 (Sloth)"
	}
	return "", fmt.Sprintf("apiVersion %q kind %q is not a format Accord reads: accord/v1, openslo/v1, sloth.slok.dev/v1 PrometheusServiceLevel, pyrra.dev/v1alpha1 ServiceLevelObjective, or Sloth's version: prometheus/v1", api, kind)
}
