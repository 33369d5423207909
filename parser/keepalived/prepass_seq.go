package keepalived

// ~SEQ/~SEQx/~LST: the lines a loop directive generates.

import (
	"strconv"
	"strings"
)

// pendingLine is a line produced by ~SEQ/~LST or a multi-line definition: it
// is processed like a file line, after binding its loop variables.
type pendingLine struct {
	text string
	pos  Pos
	defs [][2]string
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
	if p.overBudget() {
		return true
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
	p.push(src, pos, out)
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
	if p.overBudget() {
		return true
	}
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
	p.push(src, pos, out)
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

func (p *prepass) nextRandom() uint64 {
	p.rng = p.rng*6364136223846793005 + 1442695040888963407
	return p.rng >> 33
}
