package acl

import (
	"os"
	"strings"
)

// Pattern and map files, read as HAProxy 2.6 reads them (pattern.c
// pat_ref_read_from_file and pat_ref_read_from_file_smp). The parsing is
// pure (text in, entries out); loadPatterns and loadMap are the I/O, done
// when the configuration is compiled, so a reload re-reads every file.

// mapEntry is one line of a map file: the key, then the value (the rest of
// the line after the blanks following the key).
type mapEntry struct {
	key, value string
	noValue    bool // an add-acl entry: a lookup finds boolean true
}

// parsePatternLines splits a pattern file (acl -f): one pattern a line. A
// line starting with '#' (in its first column only) is a comment; leading
// spaces and tabs are removed; a '\r' ends the line; a line left empty is
// skipped. Trailing blanks are part of the pattern, as in HAProxy 2.6
// (checked by TestMapDifferential).
func parsePatternLines(text string) []string {
	var out []string
	for _, line := range fileLines(text) {
		if line = fileLine(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// fileLine is what HAProxy reads of one line of a pattern or map file: ""
// for a comment ('#' in the first column), leading spaces and tabs
// removed, cut at a '\r'.
func fileLine(line string) string {
	if strings.HasPrefix(line, "#") {
		return ""
	}
	line = strings.TrimLeft(line, " \t")
	if i := strings.IndexByte(line, '\r'); i >= 0 {
		line = line[:i]
	}
	return line
}

// parseMapLines splits a map file: '#' in the first column is a comment;
// leading blanks are removed; the key runs to the first blank, and the
// value from the next non-blank byte to the end of the line (a '\r' ends
// it too). A key without a value has an empty value.
func parseMapLines(text string) []mapEntry {
	var out []mapEntry
	for _, line := range fileLines(text) {
		if line = fileLine(line); line == "" {
			continue
		}
		key, rest := line, ""
		if i := strings.IndexAny(line, " \t"); i >= 0 {
			key, rest = line[:i], strings.TrimLeft(line[i:], " \t")
		}
		out = append(out, mapEntry{key: key, value: rest})
	}
	return out
}

// fileLines splits text at '\n' (a last line without one counts).
func fileLines(text string) []string {
	lines := strings.Split(text, "\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	return lines
}

// loadPatterns reads the patterns of "-f path"; with -M (isMap) the file is
// a map file and its keys are the patterns.
func loadPatterns(path string, isMap bool) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !isMap {
		return parsePatternLines(string(b)), nil
	}
	var keys []string
	for _, e := range parseMapLines(string(b)) {
		keys = append(keys, e.key)
	}
	return keys, nil
}

// loadMap reads a map file.
func loadMap(path string) ([]mapEntry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseMapLines(string(b)), nil
}
