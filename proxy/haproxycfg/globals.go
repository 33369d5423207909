package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// hasGlobal reports whether a global section has the statement kw (no
// arguments).
func hasGlobal(raw []haproxy.Statement, kw string) bool {
	for _, st := range raw {
		if len(st.Args) == 1 && st.Args[0] == kw {
			return true
		}
	}
	return false
}

// strictLimits is global `strict-limits`: on unless the last of
// `strict-limits` / `no strict-limits` says no (HAProxy 2.6's default).
func strictLimits(raw []haproxy.Statement) bool {
	strict := true
	for _, st := range raw {
		switch strings.Join(st.Args, " ") {
		case "strict-limits":
			strict = true
		case "no strict-limits":
			strict = false
		}
	}
	return strict
}
