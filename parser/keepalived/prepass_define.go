package keepalived

// $NAME definitions: simple, multi-line and parameterised, and the
// standard ones keepalived predefines (_PWD, _INSTANCE, _RANDOM, _HASH, _BANG).

import (
	"path/filepath"
	"strconv"
	"strings"
)

type definition struct {
	value     string
	multiline bool
	fn        func(params []string) string
	maxParams int
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
			p.push(src, pos, pl)
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

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

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
