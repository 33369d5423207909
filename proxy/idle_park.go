package proxy

import (
	"sync"
	"syscall"
	"time"

	"github.com/goha-lb/goha/proxy/http1"
)

// parkAfter is how long a kept-alive client connection waits for its next
// request on its session's goroutine before it is parked: its socket then
// waits in an epoll set of its own and its keep-alive timeout in a timer,
// and the goroutine ends. A busy connection (a benchmark's, a browser's
// burst) never waits that long, so it never pays the hand-over; a
// connection idle for seconds costs no goroutine stack. HAProxy holds an
// idle connection as a file descriptor in its poller plus a small session;
// this is the same shape. A variable so tests can make it short.
var parkAfter = 250 * time.Millisecond

// idleParker holds parked sessions: one epoll set and one goroutine that
// waits on it for the whole process, shared by every Proxy.
//
// A parked session leaves in exactly one way, whoever gets to take it
// first under mu: its socket becomes readable (data, EOF or reset: the
// session resumes on a new goroutine), its keep-alive timeout fires, or
// Shutdown wakes it (both end the session silently, as an idle one that
// times out or is woken does). The socket is removed from the epoll set
// under mu before anyone can close it, so a descriptor number reused by a
// new connection is never confused with the old one's registration.
type idleParker struct {
	epfd int
	mu   sync.Mutex
	// byFD holds the parked sessions by descriptor number (nil: none
	// there), n counts them.
	byFD []*session
	n    int
	dl   parkDeadlines // their keep-alive deadlines (idle_deadlines.go)
	rel  releaseState  // memory given back after a burst (idle_release.go)
}

var (
	parkerOnce sync.Once
	parker     *idleParker // nil when epoll is unavailable: sessions then wait on their goroutine
)

func sharedParker() *idleParker {
	parkerOnce.Do(func() {
		epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			return
		}
		parker = &idleParker{epfd: epfd}
		go parker.wait()
	})
	return parker
}

// park hands s to the parker until its socket is readable or until want
// (zero: no keep-alive timeout). It reports false when the socket could
// not be registered; s then keeps waiting on its own goroutine.
func (k *idleParker) park(s *session, want time.Time) bool {
	if s.c.io.raw == nil {
		return false
	}
	fd := int32(-1)
	if err := s.c.io.raw.Control(func(f uintptr) { fd = int32(f) }); err != nil || fd < 0 {
		return false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT, Fd: fd}
	if err := syscall.EpollCtl(k.epfd, syscall.EPOLL_CTL_ADD, int(fd), &ev); err != nil {
		return false
	}
	for int(fd) >= len(k.byFD) {
		k.byFD = append(k.byFD, nil)
	}
	k.byFD[fd] = s
	k.n++
	s.parkedFD = fd
	s.dropTxn() // session_txn.go: before anyone can take s
	k.noteParked()
	if !want.IsZero() {
		k.setDeadline(s, want)
	}
	return true
}

// at is the session parked under fd, or nil (under k.mu).
func (k *idleParker) at(fd int32) *session {
	if fd < 0 || int(fd) >= len(k.byFD) {
		return nil
	}
	return k.byFD[fd]
}

// endBy makes a parked session end by end at the latest (a soft stop's
// grace): its keep-alive timer is moved to end, or, when end has passed,
// s is taken from the parker and now is true (the caller ends it). parked
// is false when s is not parked (anymore).
func (k *idleParker) endBy(s *session, end time.Time) (parked, now bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	fd := s.parkedFD
	if k.at(fd) != s {
		return false, false
	}
	if !time.Now().Before(end) {
		k.takeLocked(fd, s)
		return true, true
	}
	k.setDeadline(s, end)
	return true, false
}

// take removes s from the parker; false when it is not parked (anymore).
func (k *idleParker) take(s *session) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.takeLocked(s.parkedFD, s)
}

func (k *idleParker) takeLocked(fd int32, s *session) bool {
	if k.at(fd) != s {
		return false
	}
	k.byFD[fd] = nil
	k.n--
	k.noteParked()
	syscall.EpollCtl(k.epfd, syscall.EPOLL_CTL_DEL, int(fd), nil)
	k.dropDeadline(s)
	s.parkedFD = -1
	return true
}

// wait resumes the sessions whose sockets became readable. An event that
// was queued for a descriptor taken meanwhile finds nothing, or finds a
// newer session parked on the same number, which then resumes and simply
// waits for its request on its goroutine.
func (k *idleParker) wait() {
	events := make([]syscall.EpollEvent, 128)
	for {
		n, err := syscall.EpollWait(k.epfd, events, -1)
		if err != nil {
			if err == syscall.EINTR {
				continue
			}
			return
		}
		for i := 0; i < n; i++ {
			fd := events[i].Fd
			k.mu.Lock()
			s := k.at(fd)
			ok := s != nil && k.takeLocked(fd, s)
			k.mu.Unlock()
			if ok {
				go s.resume()
			}
		}
	}
}

// shed lets go of what a session about to be parked keeps from its last
// transaction (parsed header tables, the head it built), rebuilt by the
// next one.
func (s *session) shed() {
	s.req = http1.Request{}
	s.resp = http1.Response{}
	s.out = nil
}
