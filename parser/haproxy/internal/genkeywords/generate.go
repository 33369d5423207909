package main

import (
	"bytes"
	"fmt"
	"go/format"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// doc is configuration.txt as lines. Sections are found by their heading
// line, matched whole: a heading the documentation no longer has is an
// error, never an empty list.
type doc struct {
	lines   []string
	missing []string // headings not found, reported by generate
}

func newDoc(text string) *doc {
	return &doc{lines: strings.Split(strings.TrimSuffix(text, "\n"), "\n")}
}

// index is the first line equal to heading at or after from, or len(lines)
// (recording the heading as missing) when there is none.
func (d *doc) index(heading string, from int) int {
	for i := from; i < len(d.lines); i++ {
		if d.lines[i] == heading {
			return i
		}
	}
	d.missing = append(d.missing, heading)
	return len(d.lines)
}

// section is the lines from heading start up to (not including) the first
// line equal to end, searched from the start of the document when
// endFromTop (the tables of contents use other spacing, so both searches
// find the section headings themselves).
func (d *doc) section(start, end string, endFromTop bool) []string {
	a := d.index(start, 0)
	from := a
	if endFromTop {
		from = 0
	}
	b := d.index(end, from)
	if a > b {
		return nil
	}
	return d.lines[a:b]
}

// sigToken splits a usage line's arguments: brackets and braces (optional
// parts and choices), <placeholders>, "..." or "*" (repetition), and words.
var sigToken = regexp.MustCompile(`\[|\]|\{|\}|<[^>]*>|\.\.\.|\*|[^\s\[\]{}<>]+`)

// signature is name's first usage line in lines and its argument counts:
// one required argument per <placeholder> outside brackets or braces;
// anything optional or repeated makes the maximum -1 (open-ended).
func signature(lines []string, name string) (usage string, minArgs, maxArgs int) {
	for _, line := range lines {
		if !strings.HasPrefix(line, name+" ") && line != name {
			continue
		}
		depth, unbounded := 0, false
		for _, tok := range sigToken.FindAllString(strings.TrimSpace(line[len(name):]), -1) {
			switch {
			case tok == "[" || tok == "{":
				depth++
				unbounded = true
			case tok == "]" || tok == "}":
				depth--
			case strings.HasPrefix(tok, "<") && depth == 0:
				minArgs++
			case tok == "..." || tok == "*":
				unbounded = true
			}
		}
		if unbounded {
			return strings.TrimSpace(line), minArgs, -1
		}
		return strings.TrimSpace(line), minArgs, minArgs
	}
	return "", 0, -1
}

// proxyRow is one keyword of section 4.1's matrix.
type proxyRow struct {
	name                                   string
	negatable, defaults, namedDefaultsOnly bool
	frontend, listen, backend, deprecated  bool
	usage                                  string
	minArgs, maxArgs                       int
}

var (
	globalItem = regexp.MustCompile(`^   - (\S.*)$`)
	// matrixRow: name, "(*)" when "no" may precede it, then the defaults,
	// frontend, listen and backend columns ("X (!)": named defaults only).
	matrixRow  = regexp.MustCompile(`^([a-z][a-z0-9_.\-]*(?: [a-z][a-z0-9_.\-]*)*)\s*(\(\*\))?\s{2,}(X(?: \(!\))?|-)\s+(X|-)\s+(X|-)\s+(X|-)\s*(\(deprecated\))?`)
	optionHead = regexp.MustCompile(`^([a-z][a-z0-9_.\-]*)(\s|$)`)
	fetchHead  = regexp.MustCompile(`^([a-z][a-z0-9_.]*)(\(.*\))?\s*:\s*[a-z]`)
	derivative = regexp.MustCompile(`^\s+([a-z][a-z0-9_.]*)(\(.*?\))?\s*:`)
)

// matrixLines is how far past its heading section 4.1's matrix is read.
const matrixLines = 260

// optionWords are the options a bind or server section documents: a word
// at column 0 whose next non-blank line is indented (its description).
func optionWords(lines []string) []string {
	var seen []string
	body := lines[min(2, len(lines)):]
	for n, line := range body {
		m := optionHead.FindStringSubmatch(line)
		if m == nil || slices.Contains(seen, m[1]) {
			continue
		}
		next := ""
		for _, x := range body[n+1:] {
			if strings.TrimSpace(x) != "" {
				next = x
				break
			}
		}
		if strings.HasPrefix(next, "  ") {
			seen = append(seen, m[1])
		}
	}
	return seen
}

// fetchWords are the sample fetches: "name[(args)] : type" lines at column
// 0, and the indented names of each "ACL derivatives :" list.
func fetchWords(lines []string) []string {
	var fetches []string
	add := func(name string) {
		if !slices.Contains(fetches, name) {
			fetches = append(fetches, name)
		}
	}
	inDerivatives := false
	for _, line := range lines {
		if m := fetchHead.FindStringSubmatch(line); m != nil {
			add(m[1])
		}
		if strings.TrimSpace(line) == "ACL derivatives :" {
			inDerivatives = true
			continue
		}
		if inDerivatives {
			if m := derivative.FindStringSubmatch(line); m != nil {
				add(m[1])
			} else {
				inDerivatives = false
			}
		}
	}
	return fetches
}

// generate returns keywords_gen.go for the documentation text.
func generate(text string) ([]byte, error) {
	d := newDoc(text)
	var globals []string
	for _, line := range d.section("3. Global parameters", "3.1. Process management and security", true) {
		if m := globalItem.FindStringSubmatch(line); m != nil {
			globals = append(globals, strings.TrimSpace(m[1]))
		}
	}
	globalRef := d.section("3.1. Process management and security", "3.4. Userlists", false)
	proxyRef := d.section("4.2. Alphabetically sorted keywords reference", "5. Bind and server options", false)
	k := d.index("4.1. Proxy keywords matrix", 0)
	var rows []proxyRow
	for _, line := range d.lines[k:min(k+matrixLines, len(d.lines))] {
		m := matrixRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		r := proxyRow{
			name: m[1], negatable: m[2] != "",
			defaults: strings.HasPrefix(m[3], "X"), namedDefaultsOnly: strings.Contains(m[3], "(!)"),
			frontend: m[4] == "X", listen: m[5] == "X", backend: m[6] == "X",
			deprecated: m[7] != "",
		}
		r.usage, r.minArgs, r.maxArgs = signature(proxyRef, r.name)
		rows = append(rows, r)
	}
	bind := optionWords(d.section("5.1. Bind options", "5.2. Server and default-server options", true))
	server := optionWords(d.section("5.2. Server and default-server options", "5.3. Server IP address resolution using DNS", true))
	fetches := fetchWords(d.section("7.3.2. Fetching samples from internal states", "7.4. Pre-defined ACLs", true))
	if len(d.missing) > 0 {
		return nil, fmt.Errorf("configuration.txt has no heading %q", d.missing)
	}

	var b bytes.Buffer
	b.WriteString("// Code generated by internal/genkeywords from HAProxy 2.6 configuration.txt; DO NOT EDIT.\n\npackage haproxy\n\n")
	b.WriteString("// globalKeywordNames lists every keyword section 3 documents for \"global\".\nvar globalKeywordNames = []string{\n")
	for _, g := range globals {
		fmt.Fprintf(&b, "\t%q,\n", g)
	}
	b.WriteString("}\n\n")
	b.WriteString("// globalKeywordUsage is each global keyword's usage line and argument\n// counts (MaxArgs -1: open-ended or unknown) from section 3.\nvar globalKeywordUsage = map[string]keywordArity{\n")
	for _, g := range globals {
		usage, mn, mx := signature(globalRef, g)
		fmt.Fprintf(&b, "\t%q: {Usage: %s, MinArgs: %d, MaxArgs: %d},\n", g, strconv.Quote(usage), mn, mx)
	}
	b.WriteString("}\n\n// proxyKeywordMatrix is section 4.1's matrix.\nvar proxyKeywordMatrix = []proxyKeyword{\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "\t{Name: %q, Negatable: %t, Defaults: %t, NamedDefaultsOnly: %t, Frontend: %t, Listen: %t, Backend: %t, Deprecated: %t, Usage: %q, MinArgs: %d, MaxArgs: %d},\n",
			r.name, r.negatable, r.defaults, r.namedDefaultsOnly, r.frontend, r.listen, r.backend, r.deprecated, r.usage, r.minArgs, r.maxArgs)
	}
	b.WriteString("}\n")
	for _, l := range []struct {
		name, section string
		words         []string
	}{{"bindKeywordNames", "5.1.", bind}, {"serverKeywordNames", "5.2.", server}} {
		fmt.Fprintf(&b, "\n// %s lists the options section %s documents.\nvar %s = []string{\n", l.name, l.section, l.name)
		for _, w := range l.words {
			fmt.Fprintf(&b, "\t%q,\n", w)
		}
		b.WriteString("}\n")
	}
	b.WriteString("\n// fetchNames are the sample fetches section 7.3 documents.\nvar fetchNames = []string{\n")
	for _, f := range fetches {
		fmt.Fprintf(&b, "\t%q,\n", f)
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}
