package haproxy

import (
	"fmt"
	"strings"
)

// Files HAProxy 2.6 opens while parsing, so that a missing one is refused
// at -c with its message: ACL pattern files (-f) and map files (map*
// converters), files of http-request/http-response/http-error replies
// (errorfile, file, lf-file), Lua scripts. (bind crt/crt-list: bindopts.go;
// errorfile: proxy.go and sections.go.)

// patternRef is HAProxy's pattern reference lookup for a file: one
// reference per file name, made on first use even when the file cannot be
// opened, so only the first use of a missing file is an error. A file used
// by an ACL (one column) cannot then be used by a map converter (two
// columns), nor the other way round. It returns HAProxy's message or "".
func (s *state) patternRef(name string, twoColumns bool) string {
	if cols, seen := s.patRefs[name]; seen {
		if cols == twoColumns {
			return ""
		}
		was, want := "one column", "two column"
		if cols {
			was, want = want, was
		}
		return fmt.Sprintf("The file \"%s\" is already used as %s file and cannot be used by as %s file.", name, was, want)
	}
	if s.patRefs == nil {
		s.patRefs = map[string]bool{}
	}
	s.patRefs[name] = twoColumns
	if !s.lookups.readable(name) {
		return fmt.Sprintf("failed to open pattern file <%s>", name)
	}
	return ""
}

// mapConverters loads the map files named by the map* converters of a
// sample expression ("req.hdr(host),lower,map_dom(/etc/x.map,dflt)") and
// returns HAProxy's message for the first that fails, or "".
func (s *state) mapConverters(expr string) string {
	return s.sampleMaps(ParseSample(expr))
}

// sampleMaps is mapConverters of a parsed sample expression.
func (s *state) sampleMaps(smp Sample) string {
	for _, conv := range smp.Converters {
		if conv.Args == nil || conv.Name != "map" && !strings.HasPrefix(conv.Name, "map_") {
			continue
		}
		if msg := s.patternRef(conv.Args[0].Str, true); msg != "" {
			return fmt.Sprintf("invalid args in converter '%s' : %s", conv.Name, msg)
		}
		s.noteMapUse(conv.Name, conv.Args[0].Str)
	}
	return ""
}

// ruleSampleMaps checks the map files of an http-request/http-response
// rule's sample expressions: a set-var's or capture's expression and the
// %[...] of its log-format arguments. The message is the one HAProxy ends the rule's
// error with, or "".
func (s *state) ruleSampleMaps(r HTTPRule) string {
	if strings.HasPrefix(r.Action, "set-var(") && len(r.Args) > 0 {
		if msg := s.mapConverters(r.Args[0]); msg != "" {
			return msg + "."
		}
		return ""
	}
	if r.Action == "capture" && len(r.Args) > 0 {
		if msg := s.mapConverters(r.Args[0]); msg != "" {
			return msg + "."
		}
		return ""
	}
	for _, a := range r.Args {
		if msg := s.formatMaps(a); msg != "" {
			return msg
		}
	}
	return ""
}

// formatMaps checks the map files of the %[...] expressions of a
// log-format string; the message is HAProxy's, or "".
func (s *state) formatMaps(format string) string {
	for rest := format; ; {
		i := strings.Index(rest, "%[")
		if i < 0 {
			return ""
		}
		rest = rest[i+2:]
		expr, _, _ := strings.Cut(rest, "]")
		if msg := s.mapConverters(expr); msg != "" {
			// HAProxy quotes the format from the expression to its end.
			return fmt.Sprintf("failed to parse sample expression <%s> : %s.", rest, msg)
		}
	}
}

// replyFile checks the file a reply names (deny, return, tarpit,
// http-error: errorfile, file, lf-file) and returns HAProxy's message
// without its final period, or "". Other arguments are skipped with their
// values so that a value is never taken for a keyword.
func (s *state) replyFile(args []string) string {
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "hdr":
			i += 2
		case "status", "deny_status", "content-type", "errorfiles", "string", "lf-string":
			i++
		case "errorfile", "file", "lf-file":
			if i+1 >= len(args) {
				return ""
			}
			if v := args[i+1]; !s.lookups.readable(v) {
				if args[i] == "errorfile" {
					return fmt.Sprintf("error opening file '%s'.", v)
				}
				return fmt.Sprintf("error opening file '%s'", v)
			}
			i++
		}
	}
	return ""
}
