package survey

import "bytes"

// MaxYAMLDepth bounds how deeply a definition's YAML nests, blocks and
// brackets together. The shipped instrument nests 7 deep. The YAML parser
// recurses once a level and its memory grows with the square of the depth
// (80 KB of "[" took 2.4 GB), so the depth is measured on the text first,
// in one pass, before anything is parsed.
const MaxYAMLDepth = 40

// yamlDepth measures how deeply YAML text nests: indented blocks, "- "
// items and flow brackets ([ {) together, outside quotes, comments and
// block scalars (| >). It returns the deepest nesting and its line. It is
// a measure, not a parser: the parser still judges the text.
func yamlDepth(data []byte) (deepest, atLine int) {
	var (
		indents     []int // the indentation of each open block
		flow        int   // open [ and {
		quote       byte  // the quote a scalar is open in, or 0
		scalarAbove = -1  // the indentation of a block scalar's key, or -1
	)
	for n, line := range bytes.Split(data, []byte("\n")) {
		lineNo := n + 1
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		rest := line[indent:]
		if scalarAbove >= 0 {
			if len(bytes.TrimSpace(rest)) == 0 || indent > scalarAbove {
				continue // inside a block scalar: text, not structure
			}
			scalarAbove = -1
		}
		if quote == 0 && flow == 0 {
			if len(rest) == 0 || rest[0] == '#' {
				continue
			}
			for len(indents) > 0 && indents[len(indents)-1] >= indent {
				indents = indents[:len(indents)-1]
			}
			indents = append(indents, indent)
		}
		depth := len(indents) + flow
		valueStart := quote == 0
		for i := 0; i < len(rest); i++ {
			c := rest[i]
			switch {
			case quote != 0:
				if c == '\\' && quote == '"' {
					i++
				} else if c == quote {
					quote = 0
				}
			case c == '#' && (i == 0 || rest[i-1] == ' '):
				i = len(rest)
			case c == '"' || c == '\'':
				if valueStart {
					quote = c
				}
			case (c == '[' || c == '{') && (valueStart || flow > 0):
				flow++
				depth++
				valueStart = true
			case (c == ']' || c == '}') && flow > 0:
				flow--
			case c == '-' && valueStart && (i+1 == len(rest) || rest[i+1] == ' '):
				depth++ // "- - x" nests one level an item
			case c == ':' && (i+1 == len(rest) || rest[i+1] == ' '):
				valueStart = true
				if flow == 0 && quote == 0 {
					if v := bytes.TrimSpace(rest[i+1:]); len(v) > 0 && (v[0] == '|' || v[0] == '>') {
						scalarAbove = indent
						i = len(rest)
					}
				}
			case c == ',' || c == ' ':
				valueStart = c == ',' || valueStart
			default:
				valueStart = false
			}
			if depth > deepest {
				deepest, atLine = depth, lineNo
			}
		}
		if depth > deepest {
			deepest, atLine = depth, lineNo
		}
	}
	return deepest, atLine
}
