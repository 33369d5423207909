package logfmt

import (
	"bytes"
	"strconv"
	"time"
)

// Meta is what a received syslog message's header says, as HAProxy 2.6's
// log-forward reads it: each field empty when absent (a NILVALUE "-"
// counts as absent, except for a time, which stays "-").
type Meta struct {
	Prio, Time, Host, Tag, PID, MsgID, SD string
}

var syslogMonths = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// legacyTimeLen is the length of an RFC 3164 time ("Jan  1 00:00:00");
// isoTimeMinLen the shortest RFC 5424 time ("1970-01-01T00:00:00Z").
const (
	legacyTimeLen = 15
	isoTimeMinLen = 20
)

// ParseSyslog reads a received message the way HAProxy 2.6 does: the
// priority (level and facility -1 without one), then an RFC 5424 header
// ("1 TIME HOST TAG PID MSGID SD ") or an RFC 3164 one ("Mmm dd hh:mm:ss
// HOST [TAG[PID]: ]"). A malformed header keeps only the priority, and
// the message is then what follows the priority.
func ParseSyslog(b []byte) (level, facility int, m Meta, msg []byte) {
	level, facility, msg = -1, -1, b
	if len(b) < 2 || b[0] != '<' {
		return
	}
	i, pri := 1, 0
	for {
		if i >= len(b) {
			return
		}
		if b[i] == '>' {
			break
		}
		if b[i] < '0' || b[i] > '9' {
			return
		}
		pri = pri*10 + int(b[i]-'0')
		i++
	}
	facility, level = pri>>3, pri&7
	i++
	m.Prio = string(b[:i])
	msg = b[i:]
	p := msg
	if len(p) > 2 && p[0] == '1' && p[1] == ' ' {
		if hm, rest, ok := parse5424(p[2:]); ok {
			hm.Prio = m.Prio
			return level, facility, hm, rest
		}
		// HAProxy 2.6 counts the "1 " off the message's length, not
		// its start: a malformed header loses the last two bytes.
		msg = msg[:len(msg)-2]
		return
	}
	if len(p) > legacyTimeLen {
		if hm, rest, ok := parse3164(p); ok {
			hm.Prio = m.Prio
			return level, facility, hm, rest
		}
	}
	return
}

// field reads a space-terminated header field; false when the message
// ends first or the field is empty.
func field(p []byte) (string, []byte, bool) {
	if len(p) == 0 || p[0] == ' ' {
		return "", nil, false
	}
	sp := bytes.IndexByte(p, ' ')
	if sp < 0 {
		return "", nil, false
	}
	f := string(p[:sp])
	if f == "-" {
		f = ""
	}
	return f, p[sp+1:], true
}

func parse5424(p []byte) (m Meta, rest []byte, ok bool) {
	switch {
	case len(p) >= 2 && p[0] == '-' && p[1] == ' ':
		m.Time, p = "-", p[2:]
	case len(p) > isoTimeMinLen-1:
		j := 19
		if j < len(p) && p[j] == '.' {
			j++
			for {
				if j >= len(p) {
					return m, nil, false
				}
				if p[j] == 'Z' || p[j] == '+' || p[j] == '-' {
					break
				}
				if p[j] < '0' || p[j] > '9' {
					return m, nil, false
				}
				j++
			}
		}
		if j < len(p) && p[j] == 'Z' {
			j++
		} else {
			j += 6
		}
		if j >= len(p) || p[j] != ' ' {
			return m, nil, false
		}
		m.Time, p = string(p[:j]), p[j+1:]
	default:
		return m, nil, false
	}
	for _, f := range []*string{&m.Host, &m.Tag, &m.PID, &m.MsgID} {
		if *f, p, ok = field(p); !ok {
			return Meta{}, nil, false
		}
	}
	// structured data: "-" or [elements] up to a space
	if len(p) == 0 {
		return Meta{}, nil, false
	}
	switch p[0] {
	case '-':
		if len(p) < 2 || p[1] != ' ' {
			return Meta{}, nil, false
		}
		p = p[2:]
	case '[':
		j, elem := 0, false
		for {
			if elem {
				if p[j] == ']' && p[j-1] != '\\' {
					elem = false
				}
			} else if p[j] == '[' {
				elem = true
			} else if p[j] == ' ' {
				break
			} else {
				return Meta{}, nil, false
			}
			j++
			if j >= len(p) {
				return Meta{}, nil, false
			}
		}
		m.SD, p = string(p[:j]), p[j+1:]
	default:
		return Meta{}, nil, false
	}
	return m, p, true
}

func parse3164(p []byte) (m Meta, rest []byte, ok bool) {
	known := false
	for _, mn := range syslogMonths {
		known = known || string(p[:3]) == mn
	}
	if !known || len(p) <= legacyTimeLen || p[legacyTimeLen] != ' ' {
		return m, nil, false
	}
	m.Time, p = string(p[:legacyTimeLen]), p[legacyTimeLen+1:]
	if len(p) == 0 || p[0] == ' ' {
		return Meta{}, nil, false
	}
	sp := bytes.IndexByte(p, ' ')
	if sp < 0 {
		return Meta{}, nil, false
	}
	m.Host, p = string(p[:sp]), p[sp+1:]
	// a tag ends with ':' and a space before any space
	j := 0
	for j < len(p) && p[j] != ' ' && p[j] != ':' {
		j++
	}
	if j >= len(p) || p[j] != ':' || j+1 >= len(p) || p[j+1] != ' ' {
		return m, p, true
	}
	tagEnd, pidStart := -1, -1
	for k := 0; k < j; k++ {
		switch {
		case p[k] == '[':
			tagEnd, pidStart = k, k+1
		case p[k] == ']' && pidStart >= 0:
			if p[k+1] != ':' {
				m.Tag = string(p[:tagEnd]) // HAProxy keeps the tag read so far
				return m, p, true
			}
			m.PID = string(p[pidStart:k])
		}
	}
	if tagEnd <= 0 {
		tagEnd = j
	}
	m.Tag = string(p[:tagEnd])
	return m, p[j+2:], true
}

// AppendMetaHeader appends the header of format f (unspec: the line gave
// no format, and the header follows what the message carried) for a
// relayed message, from its parsed header m, as HAProxy 2.6 builds it.
func AppendMetaHeader(dst []byte, f SyslogFormat, unspec bool, facility, level int, m *Meta, now time.Time, loc *time.Location) []byte {
	var ends [24]int
	h := metaHdr{b: dst, ends: ends[:0]}
	h.build(f, unspec, facility, level, m, now, loc)
	return h.b
}

// metaHdr is a header being built, with where each of the pieces HAProxy
// writes separately ends (its cut at a target's len drops a piece that
// does not fit whole: cutHeader).
type metaHdr struct {
	b    []byte
	ends []int
}

func (h *metaHdr) el(parts ...string) {
	for _, p := range parts {
		h.b = append(h.b, p...)
		h.ends = append(h.ends, len(h.b))
	}
}

func (h *metaHdr) build(f SyslogFormat, unspec bool, facility, level int, m *Meta, now time.Time, loc *time.Location) {
	if unspec {
		f = Raw
		switch {
		case m.Host != "":
			f = RFC3164Named
			if m.Time == "-" || len(m.Time) >= isoTimeMinLen {
				f = RFC5424
			}
		case m.Tag != "":
			f = Local
		case m.Prio != "":
			f = Priority
		}
	}
	if loc == nil {
		loc = time.Local
	}
	now = now.In(loc)
	pri := level
	switch f {
	case RFC3164, RFC3164Named, Local, RFC5424, Priority:
		pri += facility << 3
		fallthrough
	case Timed, Short:
		h.b = appendPRI3(h.b, pri)
		h.ends = append(h.ends, len(h.b))
	}
	switch f {
	case RFC3164, RFC3164Named, Local:
		h.legacyTime(m.Time, now)
	case RFC5424:
		h.el("1 ")
		if m.Time == "-" {
			h.el("-", " ")
			break
		}
		h.isoTime(m.Time, now)
	case Timed, ISO:
		h.isoTime(m.Time, now)
	}
	switch f {
	case RFC3164, RFC3164Named:
		if m.Host != "" {
			h.el(m.Host, " ")
		} else {
			h.el("localhost ")
		}
		fallthrough
	case Local:
		if m.Tag != "" {
			h.el(m.Tag)
			if m.PID != "" {
				h.el("[", m.PID, "]")
			}
			h.el(": ")
		}
	case RFC5424:
		for _, v := range []string{m.Host, m.Tag, m.PID, m.MsgID, m.SD} {
			if v == "" {
				h.el("- ")
			} else {
				h.el(v, " ")
			}
		}
	}
}

// cutHeader is what a UDP target of len maxLen sends of header h and
// msg (before the final newline), as HAProxy 2.6 fills its vector: the
// header pieces while the room left exceeds them (the first that does
// not is dropped, and nothing follows it), then the message cut to
// what is left.
func (h *metaHdr) cut(start, maxLen int, msg []byte) []byte {
	if maxLen <= 0 {
		return append(h.b, msg...)
	}
	prev := start
	for _, e := range h.ends {
		if e-start >= maxLen {
			return h.b[:prev]
		}
		prev = e
	}
	room := maxLen - (len(h.b) - start)
	return append(h.b, msg[:min(len(msg), room)]...)
}

// appendPRI3 writes "<pri>" with at most the last three digits, as
// HAProxy's fixed buffer does.
func appendPRI3(dst []byte, pri int) []byte {
	return append(strconv.AppendInt(append(dst, '<'), int64(pri%1000), 10), '>')
}

func (h *metaHdr) legacyTime(t string, now time.Time) {
	if len(t) == legacyTimeLen {
		h.el(t, " ")
		return
	}
	if len(t) >= isoTimeMinLen {
		month := 10*int(t[5]-'0') + int(t[6]-'0')
		if month > 0 {
			month--
		}
		if month >= 0 && month <= 11 {
			d := t[8]
			if d == '0' {
				d = ' '
			}
			h.el(syslogMonths[month]+" "+string([]byte{d, t[9]})+" ", t[11:19], " ")
			return
		}
	}
	h.b = now.AppendFormat(h.b, "Jan _2 15:04:05 ")
	h.ends = append(h.ends, len(h.b))
}

func (h *metaHdr) isoTime(t string, now time.Time) {
	if len(t) >= isoTimeMinLen {
		h.el(t, " ")
		return
	}
	if len(t) == legacyTimeLen {
		month := -1
		for i, mn := range syslogMonths {
			if t[:3] == mn {
				month = i
			}
		}
		if month >= 0 {
			year := now.Year()
			if int(now.Month())-1 < month {
				year--
			}
			d := t[4]
			if d == ' ' {
				d = '0'
			}
			h.el(strconv.Itoa(year)+"-"+string([]byte{byte('0' + (month+1)/10), byte('0' + (month+1)%10)})+"-"+string([]byte{d, t[5]})+"T",
				t[7:15], "-00:00 ")
			return
		}
	}
	h.b = now.AppendFormat(h.b, "2006-01-02T15:04:05.000000-07:00 ")
	h.ends = append(h.ends, len(h.b))
}
