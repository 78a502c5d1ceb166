// Package spec reads SLO specs — Accord's own accord/v1, OpenSLO (v1,
// v1alpha, v2alpha), Sloth and Pyrra — from files, multi-document YAML,
// lists of objects and directories into one slo.Catalog, and checks the
// result as a whole: every problem is reported at once with its file,
// line, column and field.
package spec

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
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
	// Skipped are the files found in a directory that hold no SLO spec
	// (Kubernetes manifests, dashboards), each with a note in Diags.
	Skipped []string
}

// Options say which files Load reads.
type Options struct {
	// Exclude holds glob patterns (filepath.Match syntax) of files and
	// directories to leave out when a directory is walked. A pattern is
	// matched against the path below the directory given and against the
	// base name, so "setup" and "*-crd.yaml" work at any depth.
	Exclude []string
}

// Load reads every spec file under paths (files, or directories walked
// recursively for .yaml, .yml and .json files), then checks the catalog.
// It returns an error only when nothing could be read at all; problems in
// the specs are in Result.Diags.
func Load(paths ...string) (*Result, error) { return LoadWith(Options{}, paths...) }

// LoadWith is Load with options.
func LoadWith(opts Options, paths ...string) (*Result, error) {
	for _, g := range opts.Exclude {
		if _, err := filepath.Match(g, ""); err != nil {
			return nil, fmt.Errorf("exclude pattern %q: %w", g, err)
		}
	}
	files, err := expand(paths, opts.Exclude)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	l := newLoader(&res.Diags)
	for _, f := range files {
		if data, ok := l.read(f); !ok || l.addFile(f, data) {
			res.Files = append(res.Files, f.path)
		} else {
			res.Skipped = append(res.Skipped, f.path)
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
	l.addFile(specFile{path: path}, data)
	res.Catalog = l.finish()
	Validate(&res.Catalog, &res.Diags)
	return res
}

// specFile is a file to read; walked is true when it was found in a
// directory rather than named, so that a file holding no spec is skipped
// with a note instead of being an error.
type specFile struct {
	path   string
	walked bool
}

// expand turns paths into the list of spec files they name, each
// directory's files sorted.
func expand(paths, exclude []string) ([]specFile, error) {
	var files []specFile
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read spec path %s: %w", p, err)
		}
		if !info.IsDir() {
			files = append(files, specFile{path: p})
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path == p {
				return nil
			}
			if excluded(p, path, exclude) || d.IsDir() && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.IsDir() && isSpecFile(path) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk spec directory %s: %w", p, err)
		}
		sort.Strings(found)
		for _, f := range found {
			files = append(files, specFile{path: f, walked: true})
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no spec files (.yaml, .yml, .json) in %s", strings.Join(paths, ", "))
	}
	return files, nil
}

// excluded reports whether path, found under root, matches an exclude
// pattern by its path below root or by its base name.
func excluded(root, path string, patterns []string) bool {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		rel = path
	}
	for _, g := range patterns {
		if ok, _ := filepath.Match(g, rel); ok {
			return true
		}
		if ok, _ := filepath.Match(g, filepath.Base(path)); ok {
			return true
		}
	}
	return false
}

func isSpecFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
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

// addFile reads the documents of one file, one at a time, and reports
// whether any of them is a spec. In a file found by walking a directory,
// documents that are no SLO spec at all (a Deployment beside the CRDs) are
// skipped with one note for the file, as is a file that is not valid YAML
// and names no spec format (a Helm template beside the specs); in a file
// named on the command line they are errors.
func (l *loader) addFile(f specFile, data []byte) bool {
	var skipped []string
	var first *yaml.Node
	read, docs := 0, 0
	for d, bad := range decode.Parse(f.path, data) {
		if bad != nil {
			if f.walked && docs == 0 && !specMarkers.Match(data) {
				l.diags.Notef(slo.Origin{File: f.path, Line: 1, Column: 1}, "skipped: not valid YAML and no SLO spec (%s)", strings.TrimPrefix(bad.Message, "invalid YAML: "))
				return false
			}
			l.diags.Append(*bad)
			break
		}
		if empty(d.Root) {
			// A document with nothing in it, such as after a trailing
			// `---`, which Sloth and OpenSLO's tools accept too.
			continue
		}
		docs++
		for _, el := range d.Elements() {
			det := classify(el.Root)
			at := slo.Origin{File: el.File, Line: el.Root.Line, Column: el.Root.Column, Path: el.Path}
			switch {
			case det.format != "":
				read++
				if det.warning != "" {
					l.diags.Warnf(at, "%s", det.warning)
				}
				l.add(el, det.format)
			case det.skip || det.foreign && f.walked:
				if first == nil {
					first = el.Root
				}
				skipped = append(skipped, det.what)
			default:
				read++ // an attempt at a spec: its problem is an error
				l.diags.Errorf(at, "%s", det.problem)
			}
		}
	}
	if len(skipped) > 0 {
		at := slo.Origin{File: f.path, Line: first.Line, Column: first.Column}
		if read == 0 {
			l.diags.Notef(at, "skipped: no SLO spec in this file (%s)", summarise(skipped))
		} else {
			l.diags.Notef(at, "skipped %d documents that are no SLO spec (%s)", len(skipped), summarise(skipped))
		}
	}
	return read > 0 || docs == 0
}

// empty reports whether a YAML document holds nothing: no node, or a
// null with no text (`---` followed by nothing or only comments).
func empty(root *yaml.Node) bool {
	return root == nil || root.Kind == yaml.ScalarNode && root.Tag == "!!null" && root.Value == ""
}

// specMarkers are header values only spec files hold.
var specMarkers = regexp.MustCompile(`(?m)^\s*-?\s*(apiVersion:\s*["']?(accord|openslo|sloth\.slok\.dev|pyrra\.dev)|version:\s*["']?prometheus/v1)`)

// read reads a file; ok is false when it cannot be, which is an error.
func (l *loader) read(f specFile) (data []byte, ok bool) {
	data, err := os.ReadFile(f.path)
	if err != nil {
		l.diags.Errorf(slo.Origin{File: f.path}, "read file: %v", err)
		return nil, false
	}
	return data, true
}

// summarise lists what was skipped, each kind once, in order.
func summarise(what []string) string {
	var out []string
	seen := map[string]bool{}
	for _, w := range what {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	if len(out) > 4 {
		out = append(out[:4], fmt.Sprintf("%d more", len(out)-4))
	}
	return strings.Join(out, ", ")
}

func (l *loader) add(d decode.Document, format slo.Format) {
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
