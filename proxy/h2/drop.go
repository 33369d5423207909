package h2

import (
	"slices"
	"time"

	"golang.org/x/net/http2"
)

// resetOthers resets each open stream but st with NO_ERROR and aborts
// it: the connection is being killed (KillConn).
func (c *Conn) resetOthers(st *Stream) {
	c.mu.Lock()
	var ids []uint32
	for id, o := range c.streams {
		if o == st || o.aborted {
			continue
		}
		o.localDone = true
		o.abortLocked()
		ids = append(ids, id)
	}
	c.cond.Broadcast()
	c.mu.Unlock()
	slices.Sort(ids)
	for _, id := range ids {
		c.write(func() error { return c.fr.WriteRSTStream(id, http2.ErrCodeNo) })
	}
}

// Drop abandons the stream without a frame: its connection was silenced
// (an http-response silent-drop puts the socket in TCP_REPAIR, where
// writes fail and reads say EPERM), so nothing is written for it. Like
// HAProxy's, the connection is not closed with it (measured on 2.6.12:
// a PING the client sends later meets neither an answer nor a reset).
func (st *Stream) Drop() {
	c := st.c
	c.mu.Lock()
	st.aborted, st.localDone = true, true
	c.mu.Unlock()
	c.silenced.Store(true)
}

// maxSilencedLinger bounds lingerSilenced.
const maxSilencedLinger = 10 * time.Second

// lingerSilenced keeps a silenced connection's socket, once its reader
// stopped (its next read fails), for the idle timeout (at most
// maxSilencedLinger; a soft stop's GoAway ends it sooner): what the
// client sends meanwhile is taken in by the kernel, not answered with a
// reset as a closed socket's would be.
func (c *Conn) lingerSilenced() {
	if !c.silenced.Load() {
		return
	}
	d := c.opt.IdleTimeout
	if d <= 0 || d > maxSilencedLinger {
		d = maxSilencedLinger
	}
	for end := time.Now().Add(d); time.Now().Before(end) && !c.stopped.Load(); {
		time.Sleep(50 * time.Millisecond)
	}
}
