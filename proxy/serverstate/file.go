// Package serverstate reads the server-state files of HAProxy 2.6 (what
// `show servers state` writes, `load-server-state-from-file` reads back at
// startup) into typed values, and decides, as HAProxy's server_state.c
// does, what of a line applies to a configured server. It does no I/O: the
// caller reads the file and applies the result (internal/haproxycmd).
package serverstate

import (
	"strings"
)

// Version is the only file format HAProxy 2.6 knows.
const Version = 1

// Fields of a version 1 line: 20 are required, 5 more are optional.
const (
	minFields = 20
	maxFields = 25
)

// maxLine is HAProxy's line buffer (SRV_STATE_LINE_MAXLEN): a longer line
// reads as truncated, which makes the file corrupted.
const maxLine = 2000

// Status says how a file read as a whole.
type Status int

const (
	// OK: a version line and lines that all parsed.
	OK Status = iota
	// BadVersion: the first line is not a number this version knows, or
	// there is none (HAProxy 2.6 words an empty file so too).
	BadVersion
	// Corrupt: a line is truncated or has the wrong number of fields;
	// nothing of the file is applied.
	Corrupt
)

// File is a parsed state file. Lines are the non-comment lines before the
// first bad one, in file order; CorruptLine is the 1-based number (the
// version line being 0) of the bad line when Status is Corrupt.
type File struct {
	Status      Status
	Lines       []Line
	CorruptLine int
}

// Line is one server's line, its fields as words: BackendID, BackendName,
// ServerID, ServerName and the rest (Fields[4:], at most 25 in all).
type Line struct {
	Fields []string
}

// BackendID is the line's be_id word as atoi reads it (0 if not a number).
func (l Line) BackendID() int { return atoi(l.Fields[0]) }

// BackendName is the line's be_name.
func (l Line) BackendName() string { return l.Fields[1] }

// ServerName is the line's srv_name.
func (l Line) ServerName() string { return l.Fields[3] }

// BackendForcedID is the line's bk_f_forced_id flag.
func (l Line) BackendForcedID() bool { return atoi(l.Fields[15])&1 != 0 }

// Parse reads a whole state file as HAProxy 2.6 does: a first line holding
// the version alone, then one line per server; blank lines and lines
// starting with '#' (after blanks) are skipped; a truncated last line (no
// newline) or a line with fewer than 20 or more than 25 fields makes the
// file corrupted from there.
func Parse(data []byte) File {
	text := string(data)
	first, rest, ok := cutLine(text)
	if !ok || !versionLine(first) {
		return File{Status: BadVersion}
	}
	var f File
	for n := 1; rest != ""; n++ {
		var line string
		line, rest, ok = cutLine(rest)
		if !ok {
			return File{Status: Corrupt, Lines: f.Lines, CorruptLine: n}
		}
		l, keep, good := parseLine(line)
		if !good {
			return File{Status: Corrupt, Lines: f.Lines, CorruptLine: n}
		}
		if keep {
			f.Lines = append(f.Lines, l)
		}
	}
	return f
}

// cutLine splits the first line off s as fgets with HAProxy's buffer does:
// ok is false when the line has no newline (the end of the file, or longer
// than the buffer).
func cutLine(s string) (line, rest string, ok bool) {
	i := strings.IndexByte(s, '\n')
	if i < 0 || i >= maxLine-1 {
		if len(s) >= maxLine-1 {
			return s[:maxLine-1], s[maxLine-1:], false
		}
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// versionLine is strtol's reading of the first line: digits (after
// optional blanks and sign) right up to the newline, and the value 1.
func versionLine(s string) bool {
	n, end, ok := strtol(s)
	return ok && end == len(s) && n == Version
}

// parseLine splits a line (without its newline) into fields separated by
// spaces and tabs. keep is false for blank and comment lines; good is false
// when the field count does not fit version 1.
func parseLine(s string) (l Line, keep, good bool) {
	t := strings.TrimLeft(s, " \t")
	if t == "" || t[0] == '#' {
		return Line{}, false, true
	}
	fields := strings.FieldsFunc(t, func(r rune) bool { return r == ' ' || r == '\t' })
	if len(fields) > maxFields {
		fields = fields[:maxFields] // HAProxy stops reading there
	}
	if len(fields) < minFields {
		return Line{}, false, false
	}
	return Line{Fields: fields}, true, true
}

// strtol reads a base-10 integer the way C's strtol does: leading blanks,
// a sign, digits; end is where it stopped, ok false when no digit was read
// or the value overflows.
func strtol(s string) (n int64, end int, ok bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\v' || s[i] == '\f' || s[i] == '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if n > (1<<63-1-int64(s[i]-'0'))/10 {
			return 0, i, false // ERANGE
		}
		n = n*10 + int64(s[i]-'0')
		i++
	}
	if i == start {
		return 0, 0, false
	}
	if neg {
		n = -n
	}
	return n, i, true
}

// atoi is C's atoi: strtol's value, 0 when nothing was read.
func atoi(s string) int {
	n, _, _ := strtol(s)
	return int(n)
}
