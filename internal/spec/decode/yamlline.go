package decode

import (
	"bytes"
	"strings"
)

// problemLine returns the line a YAML syntax error is at. yaml.v3 names
// the line where the block holding the mistake began, not the mistake: a
// line indented wrongly inside a list is reported where the list starts,
// and a tab a line early. Reading the text from that line on finds the
// line itself: for a tab, the first line indented with one; for a
// block's missing key or "-", the first line whose indentation matches no
// enclosing block. Otherwise, or when nothing is found, it is yaml's line.
func problemLine(data []byte, msg string, line int) int {
	lines := bytes.Split(data, []byte("\n"))
	switch {
	case strings.Contains(msg, "found a tab character"):
		for i := max(line-1, 0); i < len(lines); i++ {
			lead := lines[i][:len(lines[i])-len(bytes.TrimLeft(lines[i], " \t"))]
			if bytes.IndexByte(lead, '\t') >= 0 {
				return i + 1
			}
		}
	case strings.Contains(msg, "did not find expected key"), strings.Contains(msg, "did not find expected '-' indicator"):
		if at := misindented(lines, line); at > 0 {
			return at
		}
	}
	return line
}

// misindented returns the first line from line `from` on (1-based) whose
// indentation is less than the line before it but matches no block that
// is still open; 0 when there is none. A document separator starts over.
func misindented(lines [][]byte, from int) int {
	var open []int // the indentations of the open blocks, innermost last
	for i, l := range lines {
		text := bytes.TrimLeft(l, " ")
		if len(bytes.TrimSpace(text)) == 0 || text[0] == '#' {
			continue
		}
		if bytes.HasPrefix(l, []byte("---")) || bytes.HasPrefix(l, []byte("...")) {
			open = open[:0]
			continue
		}
		indent := len(l) - len(text)
		for len(open) > 0 && open[len(open)-1] > indent {
			open = open[:len(open)-1]
		}
		if len(open) == 0 || open[len(open)-1] != indent {
			if len(open) > 0 && i+1 >= from && indent < prevIndent(lines, i) {
				return i + 1
			}
			open = append(open, indent)
		}
		// A list item's own keys are indented past its "- ".
		for bytes.HasPrefix(text, []byte("- ")) {
			text = bytes.TrimLeft(text[2:], " ")
			open = append(open, len(l)-len(text))
		}
	}
	return 0
}

// prevIndent is the indentation of the content line before line i.
func prevIndent(lines [][]byte, i int) int {
	for j := i - 1; j >= 0; j-- {
		text := bytes.TrimLeft(lines[j], " ")
		if len(bytes.TrimSpace(text)) > 0 && text[0] != '#' {
			return len(lines[j]) - len(text)
		}
	}
	return 0
}
