package haproxy

import (
	"fmt"
	"strings"
)

// rawCheck validates a keyword goha keeps raw, with HAProxy's wording. It
// gets the statement's words (keyword first) and returns the message after
// "parsing [file:line] : ", or "".
type rawCheck func(w []string) string

func wordAt(w []string, i int) string {
	if i < len(w) {
		return w[i]
	}
	return ""
}

// intValue is HAProxy's strict integer reader message.
func intValue(kw, v string) string {
	if _, end, ok := leadingInt(v); ok && end == len(v) {
		return ""
	}
	bad := byte('?')
	for i := 0; i < len(v); i++ {
		if !isDigit(v[i]) {
			bad = v[i]
			break
		}
	}
	return fmt.Sprintf("'%s' : unexpected character '%c' in integer value '%s'", kw, bad, v)
}

var tcpCheckExpectKinds = []string{"min-recv", "binary", "!binary", "string", "!string", "rstring", "!rstring",
	"string-lf", "!string-lf", "rbinary", "!rbinary", "binary-lf", "!binary-lf", "comment", "ok-status",
	"error-status", "tout-status", "on-success", "on-error", "status-code"}

var stickTableTypes = []string{"ip", "ipv6", "integer", "string", "binary"}

var compressionAlgos = []string{"identity", "deflate", "raw-deflate", "gzip"}

var filterNames = []string{"cache", "compression", "fcgi-app", "opentracing", "spoe", "trace"}

var rawChecks = map[string]rawCheck{
	"tcp-check": func(w []string) string {
		switch wordAt(w, 1) {
		case "expect":
			k := 2
			for k < len(w) && (w[k] == "min-recv" || w[k] == "comment" || w[k] == "ok-status" || w[k] == "error-status" ||
				w[k] == "tout-status" || w[k] == "on-success" || w[k] == "on-error" || w[k] == "status-code") {
				k += 2
			}
			kind := ""
			if k < len(w) {
				kind = strings.TrimLeft(w[k], "!")
				if kind == "" && k+1 < len(w) { // "! string x": the pattern kind comes next
					kind = w[k+1]
				}
			}
			if k < len(w) && !contains(tcpCheckExpectKinds, kind) {
				return fmt.Sprintf("'tcp-check expect' : 'only supports min-recv, '[!]binary', '[!]string', '[!]rstring', '[!]string-lf''[!]rbinary', '[!]binary-lf' or comment but got '%s' as argument..", kind)
			}
		case "send":
			if len(w) < 3 {
				return "'tcp-check send' : 'string' expects a send as argument."
			}
		}
		return ""
	},
	"http-reuse": func(w []string) string {
		switch wordAt(w, 1) {
		case "never", "safe", "aggressive", "always":
			return ""
		}
		return "'http-reuse' only supports 'never', 'safe', 'aggressive', 'always'."
	},
	"monitor-uri": func(w []string) string {
		if len(w) < 2 {
			return "'monitor-uri' expects an URI."
		}
		return ""
	},
	"capture": func(w []string) string {
		switch wordAt(w, 1) {
		case "cookie":
			if len(w) < 5 || w[3] != "len" {
				return "'capture' expects 'cookie' <cookie_name> 'len' <len>."
			}
		case "request", "response":
			if len(w) < 6 || w[2] != "header" || w[4] != "len" {
				return fmt.Sprintf("'capture %s' expects 'header' <header_name> 'len' <len>.", w[1])
			}
		}
		return ""
	},
	"rate-limit": func(w []string) string {
		switch {
		case wordAt(w, 1) != "sessions":
			return fmt.Sprintf("'rate-limit' only supports 'sessions' (got '%s')", wordAt(w, 1))
		case wordAt(w, 2) == "":
			return "'rate-limit sessions' expects expects an integer value (in sessions/second)" // sic
		}
		return intValue("rate-limit sessions", wordAt(w, 2))
	},
	"max-keep-alive-queue": func(w []string) string { return intValue("max-keep-alive-queue", wordAt(w, 1)) },
	"compression": func(w []string) string {
		if wordAt(w, 1) == "algo" {
			for _, a := range w[2:] {
				if !contains(compressionAlgos, a) {
					return fmt.Sprintf("'compression' : '%s' is not a supported algorithm.", a)
				}
			}
		}
		return ""
	},
	"stick": func(w []string) string {
		if len(w) < 3 {
			return "'stick' expects a fetch method."
		}
		return ""
	},
	"filter": func(w []string) string {
		if !contains(filterNames, wordAt(w, 1)) {
			return fmt.Sprintf("'filter' : unknown keyword '%s'. Registered keywords :\n    [CACHE] cache\n    [COMP] compression\n    [FCGI] fcgi-app\n    [  OT] opentracing\n    [SPOE] spoe\n    [TRACE] trace", wordAt(w, 1))
		}
		return ""
	},
	"hash-balance-factor": func(w []string) string {
		n, _, _ := leadingInt(wordAt(w, 1))
		if n != 0 && n <= 100 {
			return "'hash-balance-factor' must be 0 or greater than 100."
		}
		return ""
	},
}

// optionArgChecks validate arguments of options kept raw.
func optionArgCheck(w []string) string {
	switch wordAt(w, 1) {
	case "mysql-check":
		if wordAt(w, 2) == "user" && len(w) < 4 {
			return "'option mysql-check user' expects <username> as argument."
		}
	case "pgsql-check":
		if wordAt(w, 2) != "user" || len(w) < 4 {
			return "'option pgsql-check' expects 'user <username>' as argument."
		}
	case "originalto":
		for i := 2; i < len(w); i++ {
			if (w[i] == "header" || w[i] == "except") && i+1 >= len(w) {
				if w[i] == "header" {
					return "'option originalto header' expects <header_name> as argument."
				}
				return "'option originalto except' expects <address>[/mask] as argument."
			}
			if w[i] != "header" && w[i] != "except" {
				return "'option originalto' only supports optional values: 'except' and 'header'."
			}
			i++
		}
	}
	return ""
}

// splitMessage cuts a multi-line message into its first line and the rest.
func splitMessage(msg string) (string, []string) {
	lines := strings.Split(msg, "\n")
	return lines[0], lines[1:]
}
