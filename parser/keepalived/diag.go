package keepalived

import (
	"fmt"
	"sort"
	"strings"
)

// Class mirrors keepalived's config_err_t. The order matters: keepalived keeps
// the highest value seen and derives `-t`'s exit code from it, so a warning
// recorded after an interface error still yields 5.
type Class int

const (
	ClassNone Class = iota // informational: printed, never changes the exit code
	ClassFileNotFound
	ClassBadInterface
	ClassFatal
	ClassUnknownKeyword
	ClassUnexpectedBOB
	ClassMissingBOB
	ClassUnexpectedEOB
	ClassMissingEOB
	ClassMultipleFiles
	ClassUnmatchedQuote
	ClassMissingParameter
	ClassInvalidNumber
	ClassGeneral
	ClassWarning
	ClassSecurity
	ClassDeprecated
	// ClassAbort is not a keepalived enum value: it models keepalived exiting
	// with KEEPALIVED_EXIT_CONFIG (2) in the middle of parsing.
	ClassAbort
)

// Severity says how a diagnostic should be read by a human.
type Severity int

const (
	SevInfo Severity = iota
	SevWarning
	SevError
)

func (s Severity) String() string {
	switch s {
	case SevWarning:
		return "warning"
	case SevError:
		return "error"
	}
	return "info"
}

// Diagnostic is one message of the lint. Message is keepalived's exact text
// (without the position prefix); GohaOnly marks notices keepalived never
// prints (they are prefixed "goha: " when printed).
type Diagnostic struct {
	File     string
	Line     int // 0 when keepalived prints the message without a position
	Col      int
	Severity Severity
	Class    Class
	Message  string
	Hint     string
	GohaOnly bool
	// MissingInterface marks the messages about a vrrp_instance interface
	// the host lacks: keepalived 2.2.7 refuses to run such a file, and
	// its VRRP process (not the parent) prints them.
	MissingInterface bool
	// Unsupported marks a feature of the file gokeepalived parses but does
	// not run (the keyword table's unsupported class, or such a value):
	// -t fails and the daemon refuses the file unless the operator allows
	// unsupported features (Options.AllowUnsupported).
	Unsupported bool
	seq         int // logical line index for parse-time messages, -1 otherwise
}

// Text renders the diagnostic the way keepalived does: "(FILE: Line N) msg",
// or just "msg" when no line applies.
func (d Diagnostic) Text() string {
	s := d.Message
	if d.Line > 0 {
		s = fmt.Sprintf("(%s: Line %d) %s", d.File, d.Line, d.Message)
	}
	if d.GohaOnly {
		s = "goha: " + s
	}
	return s
}

// Format renders all diagnostics, one per line, hints indented underneath.
func Format(diags []Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Text())
		b.WriteByte('\n')
		if d.Hint != "" {
			b.WriteString("  hint: ")
			b.WriteString(d.Hint)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// ExitCode applies keepalived 2.2.7's rule for `-t`: the highest class
// recorded decides; file-not-found, bad interface and fatal give 4, a
// security violation 6, anything else 5, nothing 0. An abort gives 2.
func ExitCode(diags []Diagnostic) int {
	highest := ClassNone
	for _, d := range diags {
		if d.GohaOnly {
			continue
		}
		if d.Class == ClassAbort {
			return 2
		}
		if d.Class > highest {
			highest = d.Class
		}
	}
	switch highest {
	case ClassNone:
		return 0
	case ClassFileNotFound, ClassBadInterface, ClassFatal:
		return 4
	case ClassSecurity:
		return 6
	}
	return 5
}

// dedupe drops repeated (position, message) pairs, keeping the first; keepalived
// prints a message once per process, gokeepalived once.
func dedupe(diags []Diagnostic) []Diagnostic {
	seen := map[string]bool{}
	out := diags[:0]
	for _, d := range diags {
		k := fmt.Sprintf("%s\x00%d\x00%s\x00%v", d.File, d.Line, d.Message, d.GohaOnly)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	return out
}

// sortStable orders diagnostics by file order of appearance then line, keeping
// position-less (post-parse) messages after the positioned ones.
func sortStable(diags []Diagnostic) {
	sort.SliceStable(diags, func(i, j int) bool {
		a, b := diags[i], diags[j]
		if (a.Line == 0) != (b.Line == 0) {
			return a.Line != 0
		}
		return false
	})
}

// AllowedSuffix ends an unsupported feature's message when the operator
// allowed unsupported features: the daemon runs without it.
const AllowedSuffix = ": ignored (--allow-unsupported)"

// RefusesStart says whether the diagnostics hold an unsupported feature
// the operator did not allow.
func RefusesStart(diags []Diagnostic) bool {
	for _, d := range diags {
		if d.Unsupported && d.Severity == SevError {
			return true
		}
	}
	return false
}
