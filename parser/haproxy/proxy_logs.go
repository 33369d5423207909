package haproxy

import (
	"strconv"
	"strings"
)

// Handlers of the logging and error-page keywords (log, log-format,
// log-tag, errorfile, errorfiles); rows in proxyKeywordTable.

func (s *state) parseLog(px *Proxy, l *kwLine) bool {
	if l.neg {
		px.Logs = nil
		return false
	}
	t, ok := s.logLine(l.p, l.w)
	if !ok {
		return false
	}
	px.Logs = append(px.Logs, t)
	return false
}

func (s *state) parseLogFormat(px *Proxy, l *kwLine) bool {
	if len(l.w) < 2 {
		s.alert(l.p, "log-format expects one argument.")
		return false
	}
	px.LogFormat, px.LogFormatPos = strings.Join(l.w[1:], " "), l.p
	return false
}

func (s *state) parseLogFormatSD(px *Proxy, l *kwLine) bool {
	if len(l.w) < 2 {
		s.alert(l.p, "log-format-sd expects an argument.")
		return false
	}
	px.LogFormatSD, px.LogFormatSDPos = strings.Join(l.w[1:], " "), l.p
	return false
}

// parseErrorLogFormat: `error-log-format <string>`, one word (HAProxy
// 2.6's messages).
func (s *state) parseErrorLogFormat(px *Proxy, l *kwLine) bool {
	switch {
	case len(l.w) < 2 || l.w[1] == "":
		s.alert(l.p, "error-log-format expects an argument.")
	case len(l.w) > 2:
		s.alert(l.p, "error-log-format expects only one argument, don't forget to escape spaces!")
	default:
		px.ErrorLogFormat, px.ErrorLogFormatPos = l.w[1], l.p
	}
	return false
}

func (s *state) parseLogTag(px *Proxy, l *kwLine) bool {
	if l.arg(1) == "" {
		px.Raw = append(px.Raw, Statement{Pos: l.p, Args: l.w})
		s.d.Unsupported(l.p.File, l.p.Line, l.kw)
		return false
	}
	px.LogTag = l.arg(1) // the syslog tag of this proxy's lines
	return false
}

func (s *state) parseErrorfile(px *Proxy, l *kwLine) bool {
	p := l.p
	code, err := strconv.Atoi(l.arg(1))
	if err != nil || l.arg(2) == "" {
		s.alert(p, "errorfile : expects <status_code> and <file> as arguments.\n")
		return false
	}
	if !errorfileCodes[code] {
		s.alert(p, "errorfile : status code '%s' not handled.", l.arg(1))
		return false
	}
	if !s.lookups.readable(l.arg(2)) {
		s.alert(p, "errorfile : error opening file '%s'.", l.arg(2))
		return false
	}
	px.ErrorFiles[code] = l.arg(2)
	px.ErrorReplies = append(px.ErrorReplies, ErrorReply{Pos: p, Kind: "errorfile", Code: code, Arg: l.arg(2)})
	return false
}

func (s *state) parseErrorfiles(px *Proxy, l *kwLine) bool {
	if s.errorfilesArgs(px, l) {
		px.ErrorFilesRef = append(px.ErrorFilesRef, Statement{Pos: l.p, Args: l.w})
	}
	return false
}
