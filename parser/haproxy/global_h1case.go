package haproxy

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// h1-case-adjust and h1-case-adjust-file: the names HTTP/1 output
// rewrites under option h1-case-adjust-bogus-client/-server
// (Global.H1CaseAdjust). HAProxy 2.6 checks each pair as it is added:
// <to> not empty, equal to <from> but for case, <from> not already there
// (compared as written: a <from> with capitals is accepted and never
// matches the lower-case names HAProxy writes). The file is read after
// the whole configuration, its pairs added after the global ones.

// globalH1CaseAdjust reads `h1-case-adjust <from> <to>`.
func (s *state) globalH1CaseAdjust(g *Global, l *kwLine) {
	if len(l.w) > 3 {
		s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[3])
		return
	}
	if l.arg(1) == "" || l.arg(2) == "" {
		s.alert(l.p, "'%s' expects <from> and <to> as argument.", l.kw)
		return
	}
	if msg := addH1CaseAdjust(g, l.arg(1), l.arg(2)); msg != "" {
		s.alert(l.p, "%s", msg)
	}
}

// globalH1CaseAdjustFile reads `h1-case-adjust-file <file>`: the last one
// is the one loaded.
func (s *state) globalH1CaseAdjustFile(g *Global, l *kwLine) {
	if len(l.w) > 2 {
		s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[2])
		return
	}
	if l.arg(1) == "" {
		s.alert(l.p, "'%s' expects <file> as argument.", l.kw)
		return
	}
	g.H1CaseAdjustFile = l.arg(1)
}

// addH1CaseAdjust adds one pair, or returns HAProxy's complaint.
func addH1CaseAdjust(g *Global, from, to string) string {
	if to == "" {
		return "expect <to>"
	}
	if !strings.EqualFold(from, to) || len(from) != len(to) {
		return "<from> and <to> must not differ execpt the case" // sic
	}
	if _, dup := g.H1CaseAdjust[from]; dup {
		return fmt.Sprintf("duplicate entry '%s'", from)
	}
	if g.H1CaseAdjust == nil {
		g.H1CaseAdjust = map[string]string{}
	}
	g.H1CaseAdjust[from] = to
	return ""
}

// loadH1CaseAdjustFile adds the pairs of h1-case-adjust-file, one per
// line ('#' lines and empty ones skipped, spaces around stripped, <to>
// the rest of the line), as HAProxy's post-parser does. It reports
// whether it failed (HAProxy's alert given).
func (s *state) loadH1CaseAdjustFile() bool {
	g := &s.cfg.Global
	name := g.H1CaseAdjustFile
	if name == "" {
		return false
	}
	data, ok := s.lookups.readFile(name)
	if !ok && s.lookups.Readable != nil && s.lookups.readable(name) {
		// a caller's lookups (CheckBytes) say it is there: read it if it is
		b, err := os.ReadFile(name)
		if err != nil {
			return false
		}
		data, ok = b, true
	}
	if !ok {
		s.d.Raw(Alert, "", 0, fmt.Sprintf("config : h1-headers-case-adjust-file '%s': failed to open file.", name))
		return true
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		l := strings.TrimLeft(sc.Text(), " \t\r\v\f")
		if l == "" || l[0] == '#' {
			continue
		}
		from, to := l, ""
		if i := strings.IndexAny(l, " \t\r\v\f"); i >= 0 {
			from, to = l[:i], strings.TrimSpace(l[i:])
		}
		if msg := addH1CaseAdjust(g, from, to); msg != "" {
			s.d.Raw(Alert, "", 0, fmt.Sprintf("config : h1-headers-case-adjust-file '%s' : %s at line %d.", name, msg, line))
			return true
		}
	}
	return false
}
