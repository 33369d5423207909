package runtimeapi

import (
	"sort"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// UsageEntry is a command as HAProxy's help sees it: its words and its
// help line ("usage : description"; "" for a command answered but never
// listed).
type UsageEntry struct {
	Words []string
	Line  string
}

// GenUsage is HAProxy 2.6.12's cli_gen_usage_msg over entries, given in
// registration order (which decides between equally close commands):
// "help [words]" lists the commands starting with the words; an unknown
// command lists those starting with its longest known prefix or, when
// words follow it, the (up to 5) closest by word fingerprint; help,
// prompt and quit always end the list.
func GenUsage(entries []UsageEntry, args []string) string {
	const prefixWords, maxMatches = 5, 5 // CLI_PREFIX_KW_NB, CLI_MAX_MATCHES
	ishelp := len(args) > 0 && args[0] == "help"
	if ishelp {
		args = args[1:]
	}
	// leading counts the first words (up to n) of args that e starts with.
	leading := func(e UsageEntry, n int) int {
		idx := 0
		for ; idx < n && idx < len(e.Words) && idx < len(args); idx++ {
			if e.Words[idx] != args[idx] {
				break
			}
		}
		return idx
	}
	length := 0
	for _, e := range entries {
		if n := leading(e, prefixWords); n > length {
			length = n
		}
	}
	var b strings.Builder
	switch {
	case ishelp:
		b.WriteString("The following commands are valid at this level:\n")
	case length == 0 && len(args) == 0:
		b.WriteString("Unknown command. Please enter one of the following commands only:\n")
	default:
		b.WriteString("Unknown command, but maybe one of the following ones is a better match:\n")
	}
	type match struct {
		line string
		dist int
	}
	var matches [maxMatches]match
	for i := range matches {
		matches[i].dist = int(^uint(0) >> 1)
	}
	if length < len(args) {
		for _, e := range entries {
			idx := leading(e, length)
			if e.Line == "" || idx != length {
				continue
			}
			var wordSig, listSig [1024]uint8
			totlen := 0
			for i := idx; i < prefixWords && i < len(args); i++ {
				haproxy.UpdateWordFingerprint(&wordSig, args[i])
				totlen += len(args[i])
			}
			for i := idx; i < prefixWords && i < len(e.Words); i++ {
				haproxy.UpdateWordFingerprint(&listSig, e.Words[i])
				totlen += len(e.Words[i])
			}
			dist := haproxy.WordFingerprintDistance(&wordSig, &listSig)
			if dist < 5*totlen/2 && dist < matches[maxMatches-1].dist {
				// kept sorted; an equal distance stays behind the earlier one
				matches[maxMatches-1] = match{e.Line, dist}
				for i := maxMatches - 2; i >= 0 && matches[i+1].dist < matches[i].dist; i-- {
					matches[i], matches[i+1] = matches[i+1], matches[i]
				}
			}
		}
	}
	var lines []string
	if matches[0].line != "" {
		for _, m := range matches {
			if m.line == "" || m.dist > 5*matches[0].dist/2 {
				break
			}
			lines = append(lines, m.line)
		}
	} else {
		for _, e := range entries {
			if e.Line != "" && leading(e, length) == length {
				lines = append(lines, e.Line)
			}
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("  help [<command>]                        : list matching or all commands\n" +
		"  prompt                                  : toggle interactive mode with prompt\n" +
		"  quit                                    : disconnect\n")
	return b.String()
}
