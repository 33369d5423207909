package keepalived

// include: glob matching with brace expansion relative to the including
// file, and the include_check levels that make a missing match an error.

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// openGlob pushes every file matching pattern (relative to dir) on the stack,
// last match first so that they are read in glob order.
func (p *prepass) openGlob(pattern, dir string, at Pos) {
	full := pattern
	if !filepath.IsAbs(pattern) {
		full = filepath.Join(dir, pattern)
	}
	mode := p.includeMode | p.includeCheck
	strict := func(bit includeMode) Class {
		if mode&bit != 0 {
			return ClassSecurity
		}
		return ClassNone
	}
	var matches []string
	alternatives := expandBraces(full)
	missingAlternatives := 0
	for _, pat := range alternatives {
		m, err := filepath.Glob(pat)
		if err != nil {
			continue
		}
		if len(m) == 0 && !hasMeta(pat) {
			if _, err := os.Lstat(pat); err == nil {
				m = []string{pat}
			} else {
				missingAlternatives++
			}
		}
		matches = append(matches, m...)
	}
	if len(matches) == 0 {
		// glob(3) without a match of a wildcard is silent unless the
		// directory it searches is missing; a plain name is reported
		switch {
		case !hasMeta(pattern) || at.Line == 0 || missingDir(full):
			p.report(at, strict(includeStrictMissing), "Config files missing '%s'.", pattern)
			p.cannotRead(at, pattern, true)
		case mode&includeStrictGlob != 0:
			p.report(at, ClassSecurity, "No config files matched '%s'.", pattern)
		}
		return
	}
	if missingAlternatives > 0 && len(alternatives) > 1 {
		p.report(at, strict(includeStrictBrace), "Some config files missing: \"%s\".", pattern)
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
			p.cannotRead(at, display, !hasMeta(pattern) || at.Line == 0)
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
			p.cannotRead(at, display, !hasMeta(pattern) || at.Line == 0)
			continue
		}
		srcs = append(srcs, &source{display: display, path: m, dir: filepath.Dir(m), lines: splitPhysical(data)})
	}
	for i := len(srcs) - 1; i >= 0; i-- {
		p.stack = append(p.stack, srcs[i])
	}
}

// missingDir reports whether the directory part of a wildcard pattern has no
// wildcard itself and does not exist: keepalived then reports the include as
// missing rather than as an empty match.
func missingDir(pattern string) bool {
	dir := filepath.Dir(pattern)
	if hasMeta(dir) {
		return false
	}
	st, err := os.Stat(dir)
	return err != nil || !st.IsDir()
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

// checkInclude handles "include GLOB" (exactly two words): the matching files
// are read at this point, relative to the including file's directory.
func (p *prepass) checkInclude(text string, pos Pos, src *source) bool {
	if !strings.Contains(text, "include") {
		return false
	}
	toks, _ := splitWords(text, pos)
	if len(toks) > 0 && toks[0].Text == "include_check" {
		p.setIncludeCheck(toks[1:])
		return false // the keyword parser sees it too (global_defs)
	}
	if len(toks) != 2 {
		return false
	}
	// keepalived 2.2.7's variants: 'm' makes a missing file, 'w' a glob
	// without match, 'a' both, a security error (exit 6); 'r'/'b' read as include.
	var mode includeMode
	switch toks[0].Text {
	case "include", "includer":
	case "includeb":
		mode = includeStrictBrace
	case "includem":
		mode = includeStrictMissing
	case "includew":
		mode = includeStrictGlob
	case "includea":
		mode = includeAllChecks
	default:
		return false
	}
	p.includeMode = mode
	depth := len(p.stack)
	p.openGlob(toks[1].Text, src.dir, pos)
	for _, s := range p.stack[depth:] {
		s.includeCheck = p.includeCheck
	}
	p.includeMode = 0
	return true
}

// setIncludeCheck applies global_defs' "include_check [[+|-]TYPE...]" when
// keepalived reads it, so it governs the includes that follow in this file and
// the files it includes. Without TYPE every check is on.
func (p *prepass) setIncludeCheck(args []Token) {
	if len(args) == 0 {
		p.includeCheck = includeAllChecks
		return
	}
	for _, a := range args {
		name, remove := a.Text, false
		switch {
		case strings.HasPrefix(name, "+"):
			name = name[1:]
		case strings.HasPrefix(name, "-"):
			name, remove = name[1:], true
		}
		var bit includeMode
		switch name {
		case "match":
			bit = includeStrictMissing
		case "wildcard_match":
			bit = includeStrictGlob
		case "brace_match":
			bit = includeStrictBrace
		default:
			p.report(a.Pos, ClassGeneral, "Unknown include_check type '%s' - ignoring", a.Text)
			continue
		}
		if remove {
			p.includeCheck &^= bit
		} else {
			p.includeCheck |= bit
		}
	}
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
