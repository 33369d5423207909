package keepalived

import (
	"fmt"
	"strconv"
)

// numKind is how keepalived reads a keyword's number: read_unsigned,
// read_int, or read_double for a TIMER in seconds.
type numKind uint8

const (
	numUnsigned numKind = iota
	numInt
	numTimer
)

// Range is the values a numeric keyword accepts, as keepalived 2.2.7's
// handler checks them. It lives in the keyword's row only: the handler
// reads the argument through it, the messages quote it and KEYWORDS.md
// prints it.
type Range struct {
	Min, Max float64
	Kind     numKind
	Unit     string // "s" when an integer counts seconds
}

// String is the argument doc, e.g. "<INT 1..255>" or "<TIMER 0..1000 s>".
func (r *Range) String() string {
	if r.Kind == numTimer {
		return fmt.Sprintf("<TIMER %s..%s s>", num(r.Min), num(r.Max))
	}
	s := fmt.Sprintf("<INT %s..%s>", num(r.Min), num(r.Max))
	if r.Unit != "" {
		s += " " + r.Unit
	}
	return s
}

// num prints a bound as written in keepalived's messages (no exponent).
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func (r *Range) lo() string { return num(r.Min) }
func (r *Range) hi() string { return num(r.Max) }

// unsigned reads s as keepalived's read_unsigned over the range.
func (r *Range) unsigned(s string) (uint64, string) {
	return readUnsigned(s, uint64(r.Min), uint64(r.Max))
}

// integer reads s as keepalived's read_int over the range.
func (r *Range) integer(s string) (int64, string) {
	return readInt(s, int64(r.Min), int64(r.Max))
}

// double reads s as keepalived's read_double over the range.
func (r *Range) double(s string) (float64, string) {
	return readDouble(s, r.Min, r.Max)
}
