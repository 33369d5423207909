package keepalived

import "fmt"

// Node is a keyword occurrence in the block tree: its line, its arguments,
// and for block keywords the nested nodes, for value blocks the value lines.
type Node struct {
	Keyword  *Keyword
	Pos      Pos
	Line     Line    // the keyword's own line
	Args     []Token // words after the keyword
	Children []*Node
	Values   []Line // value-block lines, braces removed
	End      Pos    // the closing '}' (keepalived reports block-end checks there)
}

// Name is the keyword's text.
func (n *Node) Name() string { return n.Keyword.Name }

// Arg returns argument i (0 = first word after the keyword) or "".
func (n *Node) Arg(i int) string {
	if i < len(n.Args) {
		return n.Args[i].Text
	}
	return ""
}

// walker reproduces keepalived's process_stream: the keyword decides whether
// a "{" must follow; inactive root keywords (another process's) are skipped
// brace-counting, which is where the messages for unbalanced files come from.
type walker struct {
	lines   []Line
	i       int
	kwLevel int
	skipSub int
	active  func(*Keyword) bool
	diags   []Diagnostic
	last    Pos // position of the last line read
	cur     int // seq of the last line read
}

func (w *walker) report(pos Pos, class Class, format string, args ...any) {
	w.diags = append(w.diags, Diagnostic{File: pos.File, Line: pos.Line, Col: pos.Col, Severity: SevError, Class: class, Message: fmt.Sprintf(format, args...), seq: w.cur})
}

func (w *walker) next() (Line, bool) {
	for w.i < len(w.lines) {
		l := w.lines[w.i]
		w.i++
		w.cur = l.seq
		if len(l.Tokens) > 0 {
			return l, true
		}
	}
	return Line{}, false
}

// process reads keyword lines of table until the block's "}" (or the end).
// The bool result is keepalived's ret_err: the block end was found while
// skipping an inactive sub-block.
func (w *walker) process(t *Table, needBob bool) ([]*Node, bool) {
	var nodes []*Node
	for {
		l, ok := w.next()
		if !ok {
			return nodes, false
		}
		w.last = l.Pos
		str := l.Tokens[0].Text
		if w.skipSub == -1 {
			if str == "{" {
				w.skipSub = 1
				needBob = false
				continue
			}
			w.skipSub = 0
		}
		if w.skipSub != 0 {
			for _, tok := range l.Tokens {
				str = tok.Text
				if str == "{" {
					w.skipSub++
				} else if str == "}" {
					w.skipSub--
					if w.skipSub == 0 {
						break
					}
				}
			}
			if str == "}" && w.skipSub == 0 && w.kwLevel > 0 {
				return nodes, true
			}
			continue
		}
		if needBob {
			needBob = false
			if str == "{" && w.kwLevel > 0 {
				continue
			}
			w.report(l.Pos, ClassMissingBOB, "Missing '{' at beginning of configuration block")
		} else if str == "{" {
			w.report(l.Pos, ClassUnexpectedBOB, "Unexpected '{' - ignoring")
			continue
		}
		if str == "}" && w.kwLevel > 0 {
			return nodes, false
		}
		kw := t.lookup(str)
		if kw == nil {
			w.report(l.Pos, ClassUnknownKeyword, "Unknown keyword '%s'", str)
			continue
		}
		n := &Node{Keyword: kw, Pos: l.Pos, Line: l, Args: l.Tokens[1:]}
		if !w.active(kw) {
			w.skipSub = -1
			continue
		}
		switch kw.Kind {
		case kwValues:
			n.Values = w.valueBlock(n)
			n.End = w.last
		case kwBlock:
			w.kwLevel++
			n.Children, _ = w.process(kw.Sub, true)
			n.End = w.last
			w.kwLevel--
		}
		nodes = append(nodes, n)
	}
}

// valueBlock reads "{ value lines }" like keepalived's alloc_value_block.
func (w *walker) valueBlock(n *Node) []Line {
	var out []Line
	if len(n.Args) > 0 && !n.Keyword.Named {
		w.report(n.Pos, ClassGeneral, "Block %s has extra parameters %s ...", n.Name(), n.Args[0].Text)
	}
	needBob := true
	for {
		l, ok := w.next()
		if !ok {
			return out
		}
		w.last = l.Pos
		toks := l.Tokens
		if needBob {
			needBob = false
			if toks[0].Text == "{" {
				if len(toks) == 1 {
					continue
				}
				toks = toks[1:]
			} else {
				w.diags = append(w.diags, Diagnostic{File: l.Pos.File, Line: l.Pos.Line, Severity: SevWarning, GohaOnly: true,
					Message: fmt.Sprintf("'{' missing from beginning of block %s", n.Name())})
			}
		}
		hadEOB := false
		if toks[len(toks)-1].Text == "}" {
			if len(toks) == 1 {
				return out
			}
			hadEOB = true
			toks = toks[:len(toks)-1]
		}
		if len(toks) > 0 {
			out = append(out, Line{Pos: toks[0].Pos, Text: l.Text, Tokens: toks})
		}
		if hadEOB {
			return out
		}
	}
}

// buildTree runs one keepalived process's parse over the lines.
func buildTree(lines []Line, active func(*Keyword) bool) ([]*Node, []Diagnostic) {
	w := &walker{lines: lines, active: active}
	nodes, _ := w.process(rootTable, false)
	return nodes, w.diags
}
