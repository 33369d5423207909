package haproxy

import (
	"fmt"
	"io"
	"strings"
)

// Severity orders diagnostics as HAProxy's ha_notice/ha_warning/ha_alert.
type Severity int

const (
	Diag Severity = iota - 1 // diagnostic mode (-dD) only
	Notice
	Warning
	Alert
)

// Tag is the bracketed, padded prefix HAProxy prints for the severity.
func (s Severity) Tag() string {
	switch s {
	case Alert:
		return "[ALERT]   "
	case Warning:
		return "[WARNING] "
	case Diag:
		return "[DIAG]    "
	}
	return "[NOTICE]  "
}

// Diagnostic is one message about the configuration. File/Line are zero when
// the message has no position. Text is HAProxy's full message after the
// "(PID) : " part (e.g. "config : parsing [f:3] : unknown keyword ...").
// Goha marks messages HAProxy never prints (e.g. "not supported yet"); they
// never change HAProxy's verdict (Errors, Warnings): the fail-closed verdict
// on them is ApplyPolicy's.
type Diagnostic struct {
	Severity Severity
	File     string
	Line     int
	Text     string
	Extra    []string // continuation lines, printed as-is after the message
	Goha     bool
	// Subject is what a goha notice is about ("server option slowstart"):
	// ApplyPolicy (policy.go) classifies it as inert or unsupported.
	Subject string
}

// Diagnostics accumulates messages plus HAProxy's error bits.
type Diagnostics struct {
	List []Diagnostic
}

func (d *Diagnostics) add(sev Severity, file string, line int, text string) *Diagnostic {
	d.List = append(d.List, Diagnostic{Severity: sev, File: file, Line: line, Text: text})
	return &d.List[len(d.List)-1]
}

// Errors reports whether an alert was recorded.
func (d *Diagnostics) Errors() bool {
	for _, x := range d.List {
		if x.Severity == Alert && !x.Goha {
			return true
		}
	}
	return false
}

// Warnings reports whether a (non-goha) warning was recorded.
func (d *Diagnostics) Warnings() bool {
	for _, x := range d.List {
		if x.Severity == Warning && !x.Goha {
			return true
		}
	}
	return false
}

// at formats "parsing [file:line] : " the way most keyword parsers do.
func at(file string, line int) string { return fmt.Sprintf("parsing [%s:%d] : ", file, line) }

// Alertf adds "config : parsing [file:line] : msg".
func (d *Diagnostics) Alertf(file string, line int, format string, a ...any) {
	d.add(Alert, file, line, "config : "+at(file, line)+fmt.Sprintf(format, a...))
}

// Warnf adds "config : parsing [file:line] : msg" as a warning.
func (d *Diagnostics) Warnf(file string, line int, format string, a ...any) {
	d.add(Warning, file, line, "config : "+at(file, line)+fmt.Sprintf(format, a...))
}

// Raw adds a message with its text exactly as given (after "(PID) : ").
func (d *Diagnostics) Raw(sev Severity, file string, line int, text string) *Diagnostic {
	return d.add(sev, file, line, text)
}

// Unsupported records goha's own note about a keyword kept raw.
func (d *Diagnostics) Unsupported(file string, line int, what string) {
	x := d.add(Notice, file, line, fmt.Sprintf("goha: [%s:%d] : '%s' parsed but not supported yet.", file, line, what))
	x.Goha, x.Subject = true, what
}

// Printer writes diagnostics in HAProxy's layout. Like HAProxy it announces
// the version and executable before the first warning or alert.
type Printer struct {
	W          io.Writer
	PID        int
	Version    string
	Executable string
	Quiet      bool // -q: print nothing
	ShowGoha   bool // print goha's own notices (its warnings and alerts always print)
	ShowDiag   bool // -dD: print .diag messages
	announced  bool
}

// Print writes one diagnostic.
func (p *Printer) Print(x Diagnostic) {
	if p.Quiet || (x.Goha && x.Severity < Warning && !p.ShowGoha) || (x.Severity == Diag && !p.ShowDiag) {
		return
	}
	if x.Severity >= Warning && !p.announced {
		p.announced = true
		fmt.Fprintf(p.W, "%s (%d) : haproxy version is %s\n", Notice.Tag(), p.PID, p.Version)
		fmt.Fprintf(p.W, "%s (%d) : path to executable is %s\n", Notice.Tag(), p.PID, p.Executable)
	}
	fmt.Fprintf(p.W, "%s (%d) : %s\n", x.Severity.Tag(), p.PID, x.Text)
	for _, e := range x.Extra {
		fmt.Fprintln(p.W, e)
	}
}

// caretLines renders HAProxy's two-line excerpt: the line without its leading
// blanks indented by two, and a caret under byte pos-1 of the raw line.
func caretLines(raw string, pos int) []string {
	trimmed := strings.TrimLeft(raw, " \t")
	off := pos - 1 - (len(raw) - len(trimmed))
	if off < 0 {
		off = 0
	}
	return []string{"  " + trimmed, strings.Repeat(" ", off+2) + "^"}
}
