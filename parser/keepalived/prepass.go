package keepalived

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Pos is a place in a configuration file as keepalived names it: File is the
// path keepalived would print (the -f argument, or an include's glob match
// relative to the including file's directory).
type Pos struct {
	File string
	Line int
	Col  int
}

// Token is one word of a logical line, after comment removal, definition
// expansion and brace splitting. Quoted tokens came from "...".
type Token struct {
	Text   string
	Pos    Pos
	Quoted bool
}

// Line is one logical line as keepalived's read_line hands it to the keyword
// parser: either a lone "{" or "}", or words without unquoted braces.
type Line struct {
	Pos    Pos
	Text   string // the line after the pre-pass (scripts are read from it raw)
	Tokens []Token
}

// maxBuf mirrors keepalived's MAXBUF: fgets reads at most maxBuf-1 bytes at a
// time, so longer physical lines are processed in pieces.
const maxBuf = 1024

// Guards against pathological input; keepalived itself would exhaust memory
// or file descriptors, we stop early and say so.
const (
	maxExpansions    = 10000 // ~SEQ/~LST/multi-line definition lines per directive
	maxReplacements  = 1000  // $NAME substitutions per line
	maxIncludeRepeat = 2     // times one file may be open on the include stack
)

type definition struct {
	value     string
	multiline bool
	fn        func(params []string) string
	maxParams int
}

// pendingLine is a line produced by ~SEQ/~LST or a multi-line definition: it
// is processed like a file line, after binding its loop variables.
type pendingLine struct {
	text string
	pos  Pos
	defs [][2]string
}

type source struct {
	display string // name used in messages
	path    string // name used to open the file
	dir     string // directory includes are relative to
	lines   []string
	next    int
	lineNo  int
	pending []pendingLine
	residue *pendingLine
}

type prepass struct {
	opts       Options
	stack      []*source
	defs       map[string]*definition
	blockDepth int
	diags      []Diagnostic
	lines      []Line
	aborted    bool
	// multi-line definition being read
	mlDef *definition
	rng   uint64
}

func (p *prepass) report(pos Pos, class Class, format string, args ...any) {
	sev := SevError
	if class == ClassNone {
		sev = SevInfo
	} else if class == ClassWarning || class == ClassDeprecated {
		sev = SevWarning
	}
	p.diags = append(p.diags, Diagnostic{File: pos.File, Line: pos.Line, Col: pos.Col, Severity: sev, Class: class, Message: fmt.Sprintf(format, args...)})
}

func (p *prepass) notice(pos Pos, hint, format string, args ...any) {
	p.diags = append(p.diags, Diagnostic{File: pos.File, Line: pos.Line, Col: pos.Col, Severity: SevWarning, Message: fmt.Sprintf(format, args...), Hint: hint, GohaOnly: true})
}

// runPrepass reads the top-level file (and its includes) into logical lines.
func runPrepass(opts Options) *prepass {
	p := &prepass{opts: opts, defs: map[string]*definition{}}
	p.stdDefinitions()
	if opts.Data != nil {
		p.stack = append(p.stack, &source{display: opts.File, path: opts.File, dir: filepath.Dir(opts.File), lines: splitPhysical(opts.Data)})
	} else {
		p.openGlob(opts.File, ".", Pos{})
	}
	for {
		l, ok := p.readLine()
		if !ok {
			break
		}
		p.lines = append(p.lines, l)
	}
	return p
}

func (p *prepass) stdDefinitions() {
	cwd := filepath.Dir(p.opts.File)
	if abs, err := filepath.Abs(cwd); err == nil {
		cwd = abs
	}
	p.defs["_PWD"] = &definition{fn: func([]string) string { return cwd }}
	p.defs["_INSTANCE"] = &definition{fn: func([]string) string { return p.opts.ConfigID }}
	p.defs["_HASH"] = &definition{value: "#"}
	p.defs["_BANG"] = &definition{value: "!"}
	p.defs["_RANDOM"] = &definition{maxParams: 2, fn: func(params []string) string {
		lo, hi := uint64(0), uint64(32767)
		if len(params) > 0 {
			lo, _ = strconv.ParseUint(params[0], 10, 64)
		}
		if len(params) > 1 {
			hi, _ = strconv.ParseUint(params[1], 10, 64)
		}
		if hi < lo {
			hi = lo
		}
		return strconv.FormatUint(lo+p.nextRandom()%(hi-lo+1), 10)
	}}
}

// openGlob pushes every file matching pattern (relative to dir) on the stack,
// last match first so that they are read in glob order.
func (p *prepass) openGlob(pattern, dir string, at Pos) {
	full := pattern
	if !filepath.IsAbs(pattern) {
		full = filepath.Join(dir, pattern)
	}
	var matches []string
	for _, pat := range expandBraces(full) {
		m, err := filepath.Glob(pat)
		if err != nil {
			continue
		}
		if len(m) == 0 && !hasMeta(pat) {
			if _, err := os.Lstat(pat); err == nil {
				m = []string{pat}
			}
		}
		matches = append(matches, m...)
	}
	if len(matches) == 0 {
		// glob(3) without a match of a pattern is silent; a plain name is reported
		if !hasMeta(pattern) || at.Line == 0 {
			p.report(at, ClassNone, "Config files missing '%s'.", pattern)
		}
		return
	}
	var srcs []*source
	for _, m := range matches {
		display := m
		if !filepath.IsAbs(pattern) && dir != "." {
			if rel, err := filepath.Rel(dir, m); err == nil {
				display = rel
			}
		}
		st, err := os.Stat(m)
		if err == nil && st.IsDir() {
			p.report(at, ClassNone, "Configuration file '%s/' is a directory - skipping", strings.TrimSuffix(display, "/"))
			continue
		}
		if n := p.openCount(m); n >= maxIncludeRepeat {
			p.report(at, ClassNone, "Configuration file '%s' open problem (%s) - skipping", display, capitalize(syscall.EMFILE.Error()))
			p.notice(at, "remove the include that leads back to this file", "include loop: '%s' includes itself (keepalived recurses until it runs out of file descriptors)", display)
			continue
		}
		if err == nil && (!st.Mode().IsRegular() || st.Mode()&0o111 != 0) {
			// checked before reading: opening a FIFO would block
			p.report(at, ClassNone, "Configuration file '%s' is not a regular non-executable file - skipping", display)
			continue
		}

		data, err := os.ReadFile(m)
		if err != nil {
			var reason error = err
			var pe *os.PathError
			if errors.As(err, &pe) {
				reason = pe.Err
			}
			p.report(at, ClassNone, "Configuration file '%s' open problem (%s) - skipping", display, capitalize(reason.Error()))
			continue
		}
		srcs = append(srcs, &source{display: display, path: m, dir: filepath.Dir(m), lines: splitPhysical(data)})
	}
	for i := len(srcs) - 1; i >= 0; i-- {
		p.stack = append(p.stack, srcs[i])
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (p *prepass) openCount(path string) int {
	abs, _ := filepath.Abs(path)
	n := 0
	for _, s := range p.stack {
		if a, _ := filepath.Abs(s.path); a == abs {
			n++
		}
	}
	return n
}

func hasMeta(s string) bool { return strings.ContainsAny(s, "*?[") }

// splitPhysical splits a file the way fgets with a MAXBUF buffer reads it:
// a line longer than the buffer becomes several pieces, and only the piece
// that ends with '\n' advances the line counter. Text after a NUL byte is
// invisible to keepalived (C strings), so it is dropped here too.
func splitPhysical(data []byte) []string {
	var out []string
	for len(data) > 0 {
		n := bytes.IndexByte(data, '\n')
		var piece []byte
		if n < 0 || n >= maxBuf-1 {
			if len(data) <= maxBuf-1 && n < 0 {
				piece, data = data, nil
			} else {
				piece, data = data[:maxBuf-1], data[maxBuf-1:]
			}
			// an unterminated piece: mark it with a trailing NUL sentinel
			if i := bytes.IndexByte(piece, 0); i >= 0 {
				piece = piece[:i]
			}
			out = append(out, string(piece)+"\x00")
			continue
		}
		piece, data = data[:n], data[n+1:]
		if i := bytes.IndexByte(piece, 0); i >= 0 {
			piece = piece[:i]
		}
		out = append(out, string(piece))
	}
	return out
}

// physical returns the next raw line of the innermost file, popping finished
// files. The bool is false at the end of all input.
func (p *prepass) physical() (string, *source, bool) {
	for len(p.stack) > 0 {
		s := p.stack[len(p.stack)-1]
		if s.residue != nil || len(s.pending) > 0 {
			return "", s, true
		}
		if s.next >= len(s.lines) {
			p.stack = p.stack[:len(p.stack)-1]
			continue
		}
		l := s.lines[s.next]
		s.next++
		if strings.HasSuffix(l, "\x00") {
			l = strings.TrimSuffix(l, "\x00")
		} else {
			s.lineNo++
		}
		return l, s, true
	}
	return "", nil, false
}

// readLine produces the next logical line, like keepalived's read_line.
func (p *prepass) readLine() (Line, bool) {
	for {
		if p.aborted {
			return Line{}, false
		}
		raw, src, ok := p.physical()
		if !ok {
			return Line{}, false
		}
		var text string
		pos := Pos{File: src.display, Line: src.lineNo, Col: 1}
		fromFile := false
		switch {
		case src.residue != nil:
			text, pos = src.residue.text, src.residue.pos
			src.residue = nil
		case len(src.pending) > 0:
			pl := src.pending[0]
			src.pending = src.pending[1:]
			for _, d := range pl.defs {
				p.setDefinition(d[0], d[1])
			}
			text, pos = pl.text, pl.pos
		default:
			fromFile = true
			raw = strings.TrimRight(raw, "\r\n")
			if raw == "" {
				if p.mlDef != nil {
					p.mlDef = nil
				}
				continue
			}
			lead := len(raw) - len(strings.TrimLeft(raw, " \t"))
			pos.Col = lead + 1
			text = p.decomment(raw, pos)
		}
		if p.mlDef != nil && fromFile {
			p.continueDefinition(text)
			continue
		}
		if text == "" {
			continue
		}
		text = p.expand(text, pos, src)
		if text == "" {
			continue
		}
		if p.checkInclude(text, pos, src) {
			continue
		}
		return p.finishLine(text, pos, src), true
	}
}

// decomment strips comments ('!' or '#' outside double quotes, anywhere on
// the line), the backslash of "\#" and "\!", and surrounding blanks. A final
// backslash (definition continuation) is kept.
func (p *prepass) decomment(s string, pos Pos) string {
	s = strings.TrimLeft(s, " \t")
	var b strings.Builder
	quote, cont := false, false
	skip := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			if skip < 0 {
				quote = !quote
			}
		case c == '\\':
			if i+1 < len(s) {
				if !quote && (s[i+1] == '#' || s[i+1] == '!') {
					i++
					c = s[i]
				} else {
					b.WriteByte(c)
					i++
					c = s[i]
				}
			} else {
				cont = true
				i = len(s)
				continue
			}
		case !quote && skip < 0 && (c == '!' || c == '#'):
			skip = b.Len()
		}
		b.WriteByte(c)
	}
	out := b.String()
	if quote {
		p.report(pos, ClassGeneral, "Unterminated quote '%s'", out)
	}
	if skip >= 0 {
		out = out[:skip]
	}
	out = strings.TrimRight(out, " \t")
	if cont {
		out += "\\"
	}
	return out
}

// expand applies, in keepalived's order, @config-id conditions, $NAME=value
// definitions, ~SEQ/~LST repetition and $NAME references. It returns "" when
// the line was consumed.
func (p *prepass) expand(text string, pos Pos, src *source) string {
	for round := 0; round < 16; round++ {
		if text[0] == '@' {
			rev, ofs := false, 1
			if len(text) > 1 && text[1] == '^' {
				rev, ofs = true, 2
			}
			sp := strings.IndexAny(text[ofs:], " \t")
			if sp < 0 {
				return ""
			}
			id := text[ofs : ofs+sp]
			match := p.opts.ConfigID != "" && id == p.opts.ConfigID
			if match == rev {
				return ""
			}
			text = strings.TrimLeft(text[ofs+sp:], " \t")
			if text == "" {
				return ""
			}
		}
		if text[0] == '$' && p.checkDefinition(text) {
			return ""
		}
		if strings.HasPrefix(text, "~SEQ") {
			if !p.addSeq(text, pos, src) {
				p.report(pos, ClassGeneral, "Invalid ~SEQ specification '%s'", text)
			}
			return ""
		}
		if strings.HasPrefix(text, "~LST") {
			if !p.addLst(text, pos, src) {
				p.report(pos, ClassGeneral, "Invalid ~LST specification '%s'", text)
			}
			return ""
		}
		if text[0] == '~' {
			return text
		}
		if !strings.Contains(text, "$") {
			return text
		}
		changed, rest := p.replaceParams(&text, pos)
		if len(rest) > 0 {
			pl := make([]pendingLine, 0, len(rest))
			for _, r := range rest {
				pl = append(pl, pendingLine{text: r, pos: pos})
			}
			src.pending = append(pl, src.pending...)
		}
		if !changed || text == "" {
			return text
		}
		if text[0] != '@' && !strings.Contains(text, "$") {
			return text
		}
	}
	return text
}

func isAlpha(c byte) bool    { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isNameChar(c byte) bool { return isAlpha(c) || isDigit(c) || c == '_' }

// checkDefinition handles "$NAME=value" (no blank before '='); a value ending
// in '\' starts a multi-line definition.
func (p *prepass) checkDefinition(text string) bool {
	if len(text) < 2 || !(isAlpha(text[1]) || text[1] == '_') {
		return false
	}
	i := 2
	for i < len(text) && text[i] != '=' {
		if !isNameChar(text[i]) {
			return false
		}
		i++
	}
	if i >= len(text) {
		return false
	}
	name := text[1:i]
	value := strings.TrimLeft(text[i+1:], " \t")
	d := &definition{}
	if strings.HasSuffix(value, "\\") {
		value = strings.TrimRight(strings.TrimSuffix(value, "\\"), " \t")
		if value != "" {
			value += "\n"
		}
		d.multiline = true
		p.mlDef = d
	}
	d.value = value
	p.defs[name] = d
	return true
}

func (p *prepass) continueDefinition(text string) {
	d := p.mlDef
	if strings.HasSuffix(text, "\\") {
		text = strings.TrimRight(strings.TrimSuffix(text, "\\"), " \t")
		if text != "" {
			d.value += text + "\n"
		}
		return
	}
	d.value += text
	p.mlDef = nil
	if d.value == "" {
		d.multiline = false
	}
}

func (p *prepass) setDefinition(name, value string) {
	p.defs[name] = &definition{value: value}
}

// replaceParams substitutes $NAME, ${NAME} and ${NAME params} references to
// known definitions; unknown names stay as they are. A multi-line definition
// (only allowed at the end of a line) yields extra lines in rest.
func (p *prepass) replaceParams(text *string, pos Pos) (changed bool, rest []string) {
	s := *text
	cur := 0
	for n := 0; n < maxReplacements; {
		i := strings.IndexByte(s[cur:], '$')
		if i < 0 || cur+i+1 >= len(s) {
			break
		}
		at := cur + i
		name, end, params, ok := p.findReference(s, at+1)
		d := p.defs[name]
		if !ok || d == nil || (d.multiline && end != len(s)) || (len(params) > 0 && d.maxParams == 0) {
			cur = at + 1
			continue
		}
		value := d.value
		if d.fn != nil {
			value = d.fn(params)
		}
		if d.multiline {
			parts := strings.Split(value, "\n")
			value = parts[0]
			for _, r := range parts[1:] {
				if strings.TrimSpace(r) != "" {
					rest = append(rest, r)
				}
			}
		}
		s = s[:at] + value + s[end:]
		changed = true
		n++
		if len(s) > maxBuf*64 {
			break
		}
		if v := strings.TrimLeft(value, " \t"); strings.HasPrefix(v, "~") {
			break
		}
	}
	*text = s
	return changed, rest
}

// findReference parses a reference starting just after '$'. It returns the
// definition name, the index just past the reference and any parameters.
func (p *prepass) findReference(s string, i int) (name string, end int, params []string, ok bool) {
	braces := false
	if i < len(s) && s[i] == '{' {
		braces = true
		i++
	}
	if i >= len(s) || !(isAlpha(s[i]) || s[i] == '_') {
		return "", 0, nil, false
	}
	j := i + 1
	for j < len(s) && isNameChar(s[j]) {
		j++
	}
	name = s[i:j]
	if braces {
		k := j
		for k < len(s) && (s[k] == ' ' || isDigit(s[k])) {
			k++
		}
		if k >= len(s) || s[k] != '}' {
			return "", 0, nil, false
		}
		if k > j && s[k-1] == ' ' {
			return "", 0, nil, false
		}
		params = strings.Fields(s[j:k])
		return name, k + 1, params, true
	}
	if j < len(s) && !strings.ContainsRune(" \t,)", rune(s[j])) {
		return "", 0, nil, false
	}
	return name, j, nil, true
}

// addSeq handles "~SEQ(var,[start,][step,]end) text" and ~SEQx (hex values).
func (p *prepass) addSeq(text string, pos Pos, src *source) bool {
	s := text[4:]
	hex := false
	if strings.HasPrefix(s, "x") {
		hex, s = true, s[1:]
	}
	s = strings.TrimLeft(s, " \t")
	if !strings.HasPrefix(s, "(") {
		return false
	}
	closeIdx := strings.IndexByte(s, ')')
	if closeIdx < 0 {
		p.report(pos, ClassGeneral, "Invalid ~SEQ definition '%s'", text)
		return false
	}
	args := strings.Split(s[1:closeIdx], ",")
	for k := range args {
		args[k] = strings.TrimSpace(args[k])
	}
	body := strings.TrimLeft(s[closeIdx+1:], " \t")
	if len(args) < 2 || args[0] == "" || strings.ContainsAny(args[0], " \t") {
		p.report(pos, ClassGeneral, "Invalid ~SEQ definition '%s'", text)
		return false
	}
	nums := make([]int64, 0, 3)
	for _, a := range args[1:] {
		if strings.Contains(a, "$") {
			t := a
			p.replaceParams(&t, pos)
			a = strings.TrimSpace(t)
		}
		v, err := strconv.ParseInt(a, 0, 64)
		if err != nil {
			p.report(pos, ClassGeneral, "Invalid ~SEQ definition '%s'", text)
			return false
		}
		nums = append(nums, v)
	}
	var start, step, end int64
	switch len(nums) {
	case 1:
		end = nums[0]
		step, start = 1, 1
		if end < 1 {
			step = -1
		}
		if end < 0 {
			start = -1
		}
	case 2:
		start, end = nums[0], nums[1]
		step = 1
		if start > end {
			step = -1
		}
	case 3:
		start, step, end = nums[0], nums[1], nums[2]
		if step == 0 || (start < end && step < 0) || (start > end && step > 0) {
			p.report(pos, ClassGeneral, "Invalid ~SEQ values '%s'", text)
			return false
		}
	default:
		p.report(pos, ClassGeneral, "Invalid ~SEQ definition '%s'", text)
		return false
	}
	if hex && (start < 0 || end < 0) {
		p.report(pos, ClassGeneral, "~SEQx is only valid for positive numbers '%s'", text)
		return false
	}
	var out []pendingLine
	for v := start; (step > 0 && v <= end) || (step < 0 && v >= end); v += step {
		if len(out) >= maxExpansions {
			p.notice(pos, "", "~SEQ stopped after %d lines", maxExpansions)
			break
		}
		val := strconv.FormatInt(v, 10)
		if hex {
			val = strconv.FormatInt(v, 16)
		}
		out = append(out, pendingLine{text: body, pos: pos, defs: [][2]string{{args[0], val}}})
	}
	src.pending = append(out, src.pending...)
	return true
}

// addLst handles "~LST(var,v1,v2,...) text" and the multi-variable form
// "~LST({a,b},{1,2},{3,4}) text".
func (p *prepass) addLst(text string, pos Pos, src *source) bool {
	s := strings.TrimLeft(text[4:], " \t")
	if !strings.HasPrefix(s, "(") {
		return false
	}
	depth, closeIdx := 0, -1
	for i := 0; i < len(s) && closeIdx < 0; i++ {
		switch s[i] {
		case '(', '{':
			depth++
		case ')', '}':
			depth--
			if depth == 0 && s[i] == ')' {
				closeIdx = i
			}
		}
	}
	if closeIdx < 0 {
		return false
	}
	args := splitTopLevel(s[1:closeIdx])
	if len(args) < 2 {
		return false
	}
	body := strings.TrimLeft(s[closeIdx+1:], " \t")
	vars := []string{args[0]}
	if strings.HasPrefix(args[0], "{") {
		vars = splitTopLevel(strings.Trim(args[0], "{}"))
	}
	var out []pendingLine
	for _, a := range args[1:] {
		vals := []string{a}
		if strings.HasPrefix(a, "{") {
			vals = splitTopLevel(strings.Trim(a, "{}"))
		}
		pl := pendingLine{text: body, pos: pos}
		for k, v := range vars {
			val := ""
			if k < len(vals) {
				val = vals[k]
			}
			pl.defs = append(pl.defs, [2]string{v, val})
		}
		out = append(out, pl)
	}
	src.pending = append(out, src.pending...)
	return true
}

func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

// checkInclude handles "include GLOB" (exactly two words): the matching files
// are read at this point, relative to the including file's directory.
func (p *prepass) checkInclude(text string, pos Pos, src *source) bool {
	if !strings.Contains(text, "include") {
		return false
	}
	toks, _ := splitWords(text, pos)
	if len(toks) != 2 || toks[0].Text != "include" {
		return false
	}
	p.openGlob(toks[1].Text, src.dir, pos)
	return true
}

// finishLine splits the line at its first unquoted brace (the rest is read
// next, as keepalived's "line residue"), tracks the brace depth and
// tokenises.
func (p *prepass) finishLine(text string, pos Pos, src *source) Line {
	idx := -1
	if text[0] == '{' || text[0] == '}' {
		idx = 0
	} else {
		inQuote := false
		for i := 0; i < len(text); i++ {
			c := text[i]
			if c == '"' {
				inQuote = !inQuote
				continue
			}
			if !inQuote && (c == '{' || c == '}') {
				idx = i
				break
			}
		}
	}
	if idx >= 0 {
		skip := 0
		if idx == 0 {
			skip = 1 + len(text[1:]) - len(strings.TrimLeft(text[1:], " \t"))
		}
		if rest := strings.TrimRight(text[idx+skip:], " \t"); rest != "" {
			rpos := pos
			rpos.Col += idx + skip
			src.residue = &pendingLine{text: rest, pos: rpos}
			text = text[:idx+skip]
		}
	}
	text = strings.TrimRight(text, " \t")
	switch text {
	case "{":
		p.blockDepth++
	case "}":
		p.blockDepth--
		if p.blockDepth < 0 {
			p.report(pos, ClassUnexpectedEOB, "Extra '}' found")
			p.blockDepth = 0
		}
	}
	toks, bad := splitWords(text, pos)
	if bad {
		p.report(pos, ClassUnmatchedQuote, "Unmatched quote: '%s'", text)
	}
	return Line{Pos: pos, Text: text, Tokens: toks}
}

// splitWords tokenises like keepalived's alloc_strvec: blank-separated words;
// a word starting with '"' runs to the next '"' (quotes removed, blanks
// kept); an unmatched quote ends the line (bad is true).
func splitWords(s string, pos Pos) (toks []Token, bad bool) {
	i := 0
	for {
		for i < len(s) && isBlank(s[i]) {
			i++
		}
		if i >= len(s) {
			return toks, false
		}
		tp := pos
		tp.Col = pos.Col + i
		if s[i] == '"' {
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return toks, true
			}
			toks = append(toks, Token{Text: s[i+1 : i+1+j], Pos: tp, Quoted: true})
			i = i + 1 + j + 1
			continue
		}
		j := i
		for j < len(s) && !isBlank(s[j]) && s[j] != '"' {
			j++
		}
		toks = append(toks, Token{Text: s[i:j], Pos: tp})
		i = j
	}
}

func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// expandBraces performs shell brace expansion ("a{b,c}d" -> "abd", "acd") as
// glob(3) with GLOB_BRACE does before matching.
func expandBraces(s string) []string {
	depth, open := 0, -1
	var commas []int
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			if depth == 0 {
				open = i
				commas = commas[:0]
			}
			depth++
		case ',':
			if depth == 1 {
				commas = append(commas, i)
			}
		case '}':
			if depth == 0 {
				continue
			}
			depth--
			if depth == 0 {
				if len(commas) == 0 {
					// "{x}" is literal for the outer level; keep looking
					open = -1
					continue
				}
				pre, post := s[:open], s[i+1:]
				var out []string
				start := open + 1
				for _, c := range append(append([]int{}, commas...), i) {
					out = append(out, expandBraces(pre+s[start:c]+post)...)
					start = c + 1
					if len(out) > maxExpansions {
						return out[:maxExpansions]
					}
				}
				return out
			}
		}
	}
	return []string{s}
}

func (p *prepass) nextRandom() uint64 {
	p.rng = p.rng*6364136223846793005 + 1442695040888963407
	return p.rng >> 33
}
