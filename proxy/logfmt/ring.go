package logfmt

import (
	"time"

	evsink "github.com/goha-lb/goha/proxy/sink"
)

// toRing writes msg to a ring target as HAProxy 2.6 does: the message
// cut to the line's len, after the header of the ring's format, the
// whole cut to the ring's maxlen; a "N events dropped" notice first when
// earlier messages were lost. b is scratch space, returned grown.
func (l *Logger) toRing(s *sink, lv Level, now time.Time, sd, msg, b []byte) []byte {
	t := &s.t
	if t.MaxLen > 0 && len(msg) > t.MaxLen {
		msg = msg[:t.MaxLen]
	}
	line := func(b []byte, lv Level, sd, msg []byte) []byte {
		b = AppendHeader(b, t.RingFormat, t.Facility, lv, now, &l.hdr)
		if len(sd) > 0 && t.RingFormat == RFC5424 {
			b = append(append(b[:len(b)-2], sd...), ' ')
		}
		b = append(b, msg...)
		if t.RingMaxLen > 0 && len(b) > t.RingMaxLen {
			b = b[:t.RingMaxLen]
		}
		return b
	}
	b = line(b, lv, sd, msg)
	t.Ring.WriteAnnounced(b, func(n int) []byte {
		return line(nil, Notice, nil, []byte(evsink.DroppedText(n)))
	})
	return b
}
