// Package decode reads YAML spec documents strictly: every field is checked
// for its type, unknown fields are reported with a did-you-mean, and every
// problem is recorded with its file, line, column and field path instead of
// stopping at the first.
package decode

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// Doc is one YAML document of a spec file.
type Doc struct {
	File   string
	Format slo.Format
	// Root is the document's top node, usually a mapping.
	Root  *yaml.Node
	Diags *diag.List
}

// Document is one document read from a file, with its position in the file.
type Document struct {
	File  string
	Index int // 0-based position among the file's documents
	Root  *yaml.Node
}

// ReadFile reads every YAML document in the file at path, one at a time:
// a document's nodes can be freed once the next is read, so a large file
// is not held as a tree whole. Syntax errors are recorded in diags; the
// documents before the error are still yielded.
func ReadFile(path string, diags *diag.List) iter.Seq[Document] {
	return func(yield func(Document) bool) {
		data, err := os.ReadFile(path)
		if err != nil {
			diags.Errorf(slo.Origin{File: path}, "read file: %v", err)
			return
		}
		ReadBytes(path, data, diags)(yield)
	}
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// ReadBytes reads the YAML documents in data one at a time, naming them by
// file.
func ReadBytes(file string, data []byte, diags *diag.List) iter.Seq[Document] {
	return func(yield func(Document) bool) {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for i := 0; ; i++ {
			var n yaml.Node
			err := dec.Decode(&n)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				at := slo.Origin{File: file, Line: 1, Column: 1}
				if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
					at.Line, _ = strconv.Atoi(m[1])
				}
				diags.Errorf(at, "invalid YAML: %v", err)
				return
			}
			if len(n.Content) == 0 {
				continue // an empty document between separators
			}
			if !yield(Document{File: file, Index: i, Root: resolve(n.Content[0])}) {
				return
			}
		}
	}
}

// NewDoc prepares a document for reading in format.
func NewDoc(d Document, format slo.Format, diags *diag.List) *Doc {
	return &Doc{File: d.File, Format: format, Root: d.Root, Diags: diags}
}

// Origin returns where node n is, naming it by path.
func (d *Doc) Origin(n *yaml.Node, path string) slo.Origin {
	at := slo.Origin{File: d.File, Path: path, Format: d.Format}
	if n != nil {
		at.Line, at.Column = n.Line, n.Column
	}
	return at
}

// Errorf records an error at node n.
func (d *Doc) Errorf(n *yaml.Node, path, format string, args ...any) {
	d.Diags.Errorf(d.Origin(n, path), format, args...)
}

// Warnf records a warning at node n.
func (d *Doc) Warnf(n *yaml.Node, path, format string, args ...any) {
	d.Diags.Warnf(d.Origin(n, path), format, args...)
}

// Top returns the document's root as a strict mapping.
func (d *Doc) Top() *Map { return d.Map(d.Root, "") }

// Peek returns the string value of a top-level key without marking it read,
// for detecting a document's format.
func Peek(root *yaml.Node, key string) string {
	if root == nil || root.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == key {
			if v := resolve(root.Content[i+1]); v.Kind == yaml.ScalarNode {
				return v.Value
			}
		}
	}
	return ""
}

// resolve follows YAML aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// Join appends key to a field path.
func Join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Index appends a sequence index to a field path.
func Index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// kindName says what a node holds, for type errors.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		}
		return "a string"
	}
	return "an unknown kind of value"
}
