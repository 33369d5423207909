package sink

import (
	"strconv"
	"sync"
)

// MsgRing is a `ring` section's buffer, accounted as HAProxy 2.6
// accounts its rings: the buffer holds one counter byte, then for each
// message its length as a varint, the message and another counter byte.
// A message that cannot fit even in an empty ring is dropped; otherwise
// the oldest messages give way, unless a forwarding reader has not sent
// them yet: then the new message is dropped and counted.
type MsgRing struct {
	Name, Desc string
	size       int // the section's size
	mu         sync.Mutex
	msgs       [][]byte
	first      uint64 // sequence number of msgs[0]
	used       int    // bytes of the buffer in use
	dropped    int
	readers    []*reader
	wake       chan struct{} // closed and replaced on each write
}

type reader struct {
	started bool
	next    uint64 // sequence of the next message to send
}

// NewMsgRing makes an empty ring of size bytes.
func NewMsgRing(name, desc string, size int) *MsgRing {
	return &MsgRing{Name: name, Desc: desc, size: size, used: 1, wake: make(chan struct{})}
}

// varintBytes is the length of HAProxy's varint encoding of v.
func varintBytes(v int) int {
	if v < 240 {
		return 1
	}
	n := 2
	v = (v - 240) >> 4
	for v >= 128 {
		v = (v - 128) >> 7
		n++
	}
	return n
}

// Write stores msg (already formatted and cut to the ring's maxlen).
// It reports false when the message was dropped.
func (r *MsgRing) Write(msg []byte) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.write(msg)
}

func (r *MsgRing) write(msg []byte) bool {
	need := varintBytes(len(msg)) + len(msg) + 1
	if need+1 > r.size {
		return false
	}
	for r.used+need > r.size {
		if len(r.msgs) == 0 || r.pinned() {
			return false
		}
		old := r.msgs[0]
		r.used -= varintBytes(len(old)) + len(old) + 1
		r.msgs[0] = nil
		r.msgs = r.msgs[1:]
		r.first++
	}
	r.msgs = append(r.msgs, append([]byte(nil), msg...))
	r.used += need
	close(r.wake)
	r.wake = make(chan struct{})
	return true
}

// pinned says whether a started reader still has the oldest message to send.
func (r *MsgRing) pinned() bool {
	for _, rd := range r.readers {
		if rd.started && rd.next <= r.first {
			return true
		}
	}
	return false
}

// WriteAnnounced writes msg after the "N events dropped" notice HAProxy
// sends first when messages were lost (announce formats that notice for
// the ring). A message that cannot be stored is counted as dropped.
func (r *MsgRing) WriteAnnounced(msg []byte, announce func(n int) []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dropped > 0 {
		if !r.write(announce(r.dropped)) {
			r.dropped++
			return
		}
		r.dropped = 0
	}
	if !r.write(msg) {
		r.dropped++
	}
}

// DroppedText is HAProxy's notice for n lost messages.
func DroppedText(n int) string {
	s := "s"
	if n == 1 {
		s = ""
	}
	return strconv.Itoa(n) + " event" + s + " dropped"
}

// Dropped counts the messages lost and not yet announced.
func (r *MsgRing) Dropped() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped
}

// Dump is the ring's messages, each with a newline, oldest first: what
// `show events <ring>` prints.
func (r *MsgRing) Dump() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.msgs {
		n += len(m) + 1
	}
	b := make([]byte, 0, n)
	for _, m := range r.msgs {
		b = append(append(b, m...), '\n')
	}
	return string(b)
}

// newReader attaches a forwarding reader; it starts at the oldest
// message the first time it reads.
func (r *MsgRing) newReader() *reader {
	r.mu.Lock()
	defer r.mu.Unlock()
	rd := &reader{}
	r.readers = append(r.readers, rd)
	return rd
}

// next returns the messages rd has not sent yet (copies of the slice
// headers: messages are never modified) and a channel closed at the next
// write.
func (r *MsgRing) pending(rd *reader) ([][]byte, uint64, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !rd.started {
		rd.started, rd.next = true, r.first
	}
	if rd.next < r.first {
		rd.next = r.first
	}
	i := int(rd.next - r.first)
	return append([][]byte(nil), r.msgs[i:]...), rd.next, r.wake
}

// advance records that rd sent the messages before seq.
func (r *MsgRing) advance(rd *reader, seq uint64) {
	r.mu.Lock()
	rd.next = seq
	r.mu.Unlock()
}

// The rings of the running configuration, in configuration order.
var (
	ringsMu sync.Mutex
	rings   []*MsgRing
)

// SetRings installs the configuration's rings (replacing a previous
// configuration's), for `show events`.
func SetRings(rs []*MsgRing) {
	ringsMu.Lock()
	rings = rs
	ringsMu.Unlock()
}

// Rings are the configuration's rings.
func Rings() []*MsgRing {
	ringsMu.Lock()
	defer ringsMu.Unlock()
	return rings
}

// RingNamed is the configuration's ring called name, or nil.
func RingNamed(name string) *MsgRing {
	for _, r := range Rings() {
		if r.Name == name {
			return r
		}
	}
	return nil
}
