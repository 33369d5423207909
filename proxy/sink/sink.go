// Package sink holds goha's event sinks, the ones HAProxy 2.6 lists in
// `show events`: the standard output and error streams, and buf0, an
// in-memory ring the CLI reads. The debug converter writes its captures
// to them (proxy/acl conv_debug.go).
//
// The `ring` sections are MsgRings (ring.go): buffers accounted as
// HAProxy's, which `log ring@<name>` targets write to (proxy/logfmt) and
// which forward their messages to TCP syslog servers (forward.go).
package sink

import (
	"io"
	"os"
	"strconv"
	"sync"
	"time"
)

// Names are the sinks a debug converter may name, as HAProxy 2.6 knows
// them without a ring section.
var Names = []string{"stdout", "stderr", "buf0"}

// Known says whether name is one of goha's sinks.
func Known(name string) bool {
	for _, n := range Names {
		if n == name {
			return true
		}
	}
	return false
}

// ringSize is the size of HAProxy's buf0 (1 MiB): the oldest messages
// give way to new ones past it.
const ringSize = 1 << 20

// Ring is an in-memory ring of messages in HAProxy's "timed" format.
type Ring struct {
	mu    sync.Mutex
	lines []string
	size  int
	max   int
}

// NewRing returns an empty ring holding at most max bytes of messages.
func NewRing(max int) *Ring { return &Ring{max: max} }

// Buf0 is the process's buf0 ring.
var Buf0 = NewRing(ringSize)

// Timed is msg as HAProxy's timed format writes it: the level, the
// local time with microseconds and the zone, then the message.
func Timed(level int, now time.Time, msg string) string {
	return "<" + strconv.Itoa(level) + ">" + now.Format("2006-01-02T15:04:05.000000-07:00") + " " + msg
}

// Add appends a line (without its newline), dropping the oldest lines
// while the ring is over its size.
func (r *Ring) Add(line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(line)+1 > r.max {
		return
	}
	r.lines = append(r.lines, line)
	r.size += len(line) + 1
	drop := 0
	for r.size > r.max {
		r.size -= len(r.lines[drop]) + 1
		drop++
	}
	if drop > 0 {
		r.lines = append(r.lines[:0], r.lines[drop:]...)
	}
}

// Reset empties the ring.
func (r *Ring) Reset() {
	r.mu.Lock()
	r.lines, r.size = nil, 0
	r.mu.Unlock()
}

// Dump is the ring's lines, each with its newline, oldest first.
func (r *Ring) Dump() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := make([]byte, 0, r.size)
	for _, l := range r.lines {
		b = append(append(b, l...), '\n')
	}
	return string(b)
}

// fdMu serialises the lines written to the standard streams, and
// guards stdout and stderr.
var fdMu sync.Mutex

// stdout and stderr are where the fd sinks write (SetFDs).
var stdout, stderr io.Writer = os.Stdout, os.Stderr

// SetFDs sets where the stdout and stderr sinks write. HAProxy run quiet
// (-q) or as a daemon points its standard streams at /dev/null, and the
// lines of these sinks go nowhere: pass io.Discard then.
func SetFDs(out, err io.Writer) {
	fdMu.Lock()
	stdout, stderr = out, err
	fdMu.Unlock()
}

// Write sends msg to the sink called name: a raw line on stdout or
// stderr, a timed line (level 0) in buf0. An unknown name is ignored
// (the configuration check refused it).
func Write(name, msg string) {
	switch name {
	case "buf0":
		Buf0.Add(Timed(0, time.Now(), msg))
	case "stdout", "stderr":
		fdMu.Lock()
		w := stdout
		if name == "stderr" {
			w = stderr
		}
		io.WriteString(w, msg+"\n")
		fdMu.Unlock()
	}
}
