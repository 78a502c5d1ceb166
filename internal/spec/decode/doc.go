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
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// Doc is one YAML document of a spec file.
type Doc struct {
	File   string
	Format slo.Format
	// Root is the document's top node, usually a mapping.
	Root *yaml.Node
	// Path names the document inside its YAML document when it is one
	// element of a list of objects, e.g. "[1]"; empty otherwise.
	Path  string
	Diags *diag.List
}

// Document is one document read from a file, with its position in the file.
type Document struct {
	File  string
	Index int // 0-based position among the file's documents
	Root  *yaml.Node
	// Path names an object that is one element of a list (a YAML sequence
	// of objects, or a Kubernetes List's items), e.g. "[1]" or "items[0]".
	Path string
}

// Elements returns the objects a document holds: the document itself, or
// each element of a list of objects, named by its index. OpenSLO tools
// write files as a sequence of objects; kubectl writes a List with items.
func (d Document) Elements() []Document {
	root := d.Root
	var items []*yaml.Node
	prefix := ""
	switch {
	case root.Kind == yaml.SequenceNode:
		items = root.Content
	case root.Kind == yaml.MappingNode && isList(root):
		items = resolve(mapValue(root, "items")).Content
		prefix = "items"
	default:
		return []Document{d}
	}
	out := make([]Document, 0, len(items))
	for i, item := range items {
		out = append(out, Document{File: d.File, Index: d.Index, Root: resolve(item), Path: Index(Join(d.Path, prefix), i)})
	}
	return out
}

// isList reports whether a mapping is a Kubernetes List: kind List (or
// SomethingList) with a list of items.
func isList(root *yaml.Node) bool {
	kind := Peek(root, "kind")
	items := resolve(mapValue(root, "items"))
	return len(kind) >= 4 && kind[len(kind)-4:] == "List" && items != nil && items.Kind == yaml.SequenceNode
}

// mapValue returns the value of key in a mapping node, or nil.
func mapValue(root *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == key {
			return root.Content[i+1]
		}
	}
	return nil
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// yamlLinePrefix is yaml's "yaml: line N: " before a message.
var yamlLinePrefix = regexp.MustCompile(`^yaml: (line \d+: )?`)

// ReadBytes reads the YAML documents in data one at a time, naming them by
// file; a syntax error is recorded in diags and ends the documents.
func ReadBytes(file string, data []byte, diags *diag.List) iter.Seq[Document] {
	return func(yield func(Document) bool) {
		for d, bad := range Parse(file, data) {
			if bad != nil {
				diags.Append(*bad)
				return
			}
			if !yield(d) {
				return
			}
		}
	}
}

// Parse reads the YAML documents in data one at a time: a document's nodes
// can be freed once the next is read, so a large file is never held as one
// tree. A syntax error is yielded last, with a zero Document, so that the
// caller decides how much the broken file matters.
func Parse(file string, data []byte) iter.Seq2[Document, *diag.Diagnostic] {
	return func(yield func(Document, *diag.Diagnostic) bool) {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for i := 0; ; i++ {
			var n yaml.Node
			err := dec.Decode(&n)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				line := 1
				if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
					line, _ = strconv.Atoi(m[1])
				}
				// The position is the diagnostic's: yaml's "line N:" goes.
				msg := yamlLinePrefix.ReplaceAllString(err.Error(), "")
				if at := problemLine(data, msg, line); at != line {
					line = at
					if !strings.Contains(msg, "tab") {
						msg += ": this line is indented like no block around it"
					}
				}
				yield(Document{}, &diag.Diagnostic{Severity: diag.Error, File: file, Line: line, Column: 1, Message: "invalid YAML: " + msg})
				return
			}
			if len(n.Content) == 0 {
				continue // an empty document between separators
			}
			if !yield(Document{File: file, Index: i, Root: resolve(n.Content[0])}, nil) {
				return
			}
		}
	}
}

// NewDoc prepares a document for reading in format.
func NewDoc(d Document, format slo.Format, diags *diag.List) *Doc {
	return &Doc{File: d.File, Format: format, Root: d.Root, Path: d.Path, Diags: diags}
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
func (d *Doc) Top() *Map { return d.Map(d.Root, d.Path) }

// Peek returns the string value of a top-level key without marking it read,
// for detecting a document's format.
func Peek(root *yaml.Node, key string) string {
	if root == nil || root.Kind != yaml.MappingNode {
		return ""
	}
	if v := resolve(mapValue(root, key)); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
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
