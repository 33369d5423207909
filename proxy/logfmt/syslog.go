package logfmt

import (
	"strconv"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
)

// Level is a syslog severity, 0 (emerg) to 7 (debug).
type Level int

// Syslog severities in HAProxy's spelling.
const (
	Emerg Level = iota
	Alert
	Crit
	Err
	Warning
	Notice
	Info
	Debug
)

func (l Level) String() string {
	if l < 0 || int(l) >= len(haproxy.LogLevels) {
		return strconv.Itoa(int(l))
	}
	return haproxy.LogLevels[l]
}

// SyslogFormat is a target's `format`.
type SyslogFormat int

// The `log ... format` values of HAProxy 2.6.
const (
	RFC3164  SyslogFormat = iota // <PRI>Mmm dd hh:mm:ss [host ]tag[pid]: msg (the default: host with log-send-hostname)
	RFC5424                      // <PRI>1 ISO-time host tag pid - - msg
	Short                        // <level>msg
	Raw                          // msg
	Priority                     // <PRI>msg
	Timed                        // <level>ISO-time msg
	ISO                          // ISO-time msg
	// RFC3164Named is `format rfc3164` written out: HAProxy 2.6 then
	// always sends a host, "localhost" without log-send-hostname.
	RFC3164Named
	// Local is `format local`: the RFC 3164 header without a host, even
	// with log-send-hostname.
	Local
)

var formatNames = map[string]SyslogFormat{
	"rfc3164": RFC3164Named, "local": Local, "rfc5424": RFC5424, "short": Short,
	"raw": Raw, "priority": Priority, "timed": Timed, "iso": ISO,
}

// Header describes what goes before the message.
type Header struct {
	Tag      string // program name, "haproxy" unless log-tag says otherwise
	PID      int
	Hostname string // printed only when set (log-send-hostname)
	Location *time.Location
}

// AppendHeader appends the syslog header of format f for a message of
// the given facility and (already adjusted) level, emitted at now.
func AppendHeader(dst []byte, f SyslogFormat, facility int, level Level, now time.Time, h *Header) []byte {
	loc := h.Location
	if loc == nil {
		loc = time.Local
	}
	now = now.In(loc)
	pri := facility<<3 | int(level)
	switch f {
	case RFC3164, RFC3164Named, Local:
		dst = appendPRI(dst, pri)
		dst = now.AppendFormat(dst, "Jan _2 15:04:05 ")
		host := h.Hostname
		if host == "" && f == RFC3164Named {
			host = "localhost"
		}
		if host != "" && f != Local {
			dst = append(dst, host...)
			dst = append(dst, ' ')
		}
		dst = append(dst, h.Tag...)
		dst = append(dst, '[')
		dst = strconv.AppendInt(dst, int64(h.PID), 10)
		return append(dst, "]: "...)
	case RFC5424:
		dst = appendPRI(dst, pri)
		dst = append(dst, '1', ' ')
		dst = now.AppendFormat(dst, "2006-01-02T15:04:05.000000-07:00 ")
		host := h.Hostname
		if host == "" {
			host = "-"
		}
		dst = append(dst, host...)
		dst = append(dst, ' ')
		dst = append(dst, h.Tag...)
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, int64(h.PID), 10)
		return append(dst, " - - "...)
	case Short:
		return appendPRI(dst, int(level))
	case Priority:
		return appendPRI(dst, pri)
	case Timed:
		dst = appendPRI(dst, int(level))
		return now.AppendFormat(dst, "2006-01-02T15:04:05.000000-07:00 ")
	case ISO:
		return now.AppendFormat(dst, "2006-01-02T15:04:05.000000-07:00 ")
	}
	return dst // Raw
}

func appendPRI(dst []byte, pri int) []byte {
	dst = append(dst, '<')
	dst = strconv.AppendInt(dst, int64(pri), 10)
	return append(dst, '>')
}
