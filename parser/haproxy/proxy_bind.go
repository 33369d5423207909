package haproxy

import (
	"fmt"
	"strings"
)

// Handler of `bind`; its row is in proxyKeywordTable, the bind options'
// checks are in bindopts.go.

func (s *state) parseBind(px *Proxy, l *kwLine) bool {
	return s.bind(px, l.p, l.w)
}

// bind parses "bind addr[,addr...] [options]"; true = abort.
func (s *state) bind(px *Proxy, p Pos, w []string) bool {
	if len(w) < 2 {
		s.alert(p, "'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.")
		return false
	}
	b := Bind{Pos: p, Text: w[1], Options: map[string]string{}}
	for _, one := range strings.Split(w[1], ",") {
		a, err := listenAddress(one, s.env)
		if err != nil {
			// HAProxy re-indents the message, which drops a final newline.
			s.alert(p, "'bind' : %s", strings.TrimSuffix(err.Error(), "\n"))
			return false
		}
		b.Addrs = append(b.Addrs, a)
	}
	for i := 2; i < len(w); i++ {
		o := w[i]
		if !bindKeywordSet[o] {
			if sug := didYouMean(o, bindKeywordNames); sug != "" {
				s.alert(p, "'bind %s' in section '%s': unknown keyword '%s'%s", w[1], px.Kind, o, sug)
			} else {
				s.alert(p, "'bind %s' in section '%s': unknown keyword '%s'.", w[1], px.Kind, o)
			}
			return false
		}
		v, missing := "", false
		if bindWithArg[o] {
			if missing = i+1 >= len(w); !missing {
				v = w[i+1]
			}
			i++
		}
		msg, warn := s.bindOption(p, o, v)
		if msg == "" && missing {
			msg = fmt.Sprintf("'%s' : missing value", o) // the usual wording; a few options have their own
		}
		if warn {
			s.warn(p, "'bind %s' in section '%s' : %s", w[1], px.Kind, msg)
		} else if msg != "" {
			// HAProxy re-indents the message, which drops a final newline.
			s.alert(p, "'bind %s' in section '%s' : %s", w[1], px.Kind, strings.TrimSuffix(msg, "\n"))
			return false
		}
		switch o {
		case "ssl":
			b.SSL = true
		case "crt":
			b.Crts = append(b.Crts, s.underBase("crt-base", v))
		}
		b.Options[o] = v
	}
	px.Binds = append(px.Binds, b)
	return false
}
