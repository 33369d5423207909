package peers

import (
	"errors"
	"fmt"
	"time"
)

// HAProxy's timers (src/peers.c).
const (
	HeartbeatInterval = 3 * time.Second // PEER_HEARTBEAT_TIMEOUT: idle sender's heartbeat
	ReconnectTimeout  = 5 * time.Second // PEER_RECONNECT_TIMEOUT: silent peer's deadline
	ResyncTimeout     = 5 * time.Second // PEER_RESYNC_TIMEOUT
	HandshakeTimeout  = 5 * time.Second // the peers frontend's "timeout client"
	// MaxUpdatesAtOnce is tune.peers.max-updates-at-once's default: updates
	// sent per table before the session yields.
	MaxUpdatesAtOnce = 200
)

// Config is what a session knows of its peers section.
type Config struct {
	Local  string // this process's peer name (localpeer, -L, or the host name)
	Remote string // Dial: the name of the peer connected to
	PID    int
	// Downgrade announces version 2.0 (no timed updates), as HAProxy does
	// after a peer answered 502.
	Downgrade bool
	// Known reports whether name is a remote peer of the section (Accept).
	Known func(name string) bool
	// Tables are the section's tables, numbered 1.. in this order.
	Tables []Table
	// Synced reports whether this process's own resync is over: it decides
	// between "resync finished" and "resync partial" after a teach.
	Synced func() bool
	// Assign, called when the handshake succeeds, reports whether the
	// section gives this peer the lesson: the session then asks it for a
	// full resync at once, and pushes none of its own changes until the
	// lesson ends (HAProxy's PEER_F_LEARN_ASSIGN). Nil: never.
	Assign func(peer string) bool
	// Resume returns, per table, the last update the peer acked on a
	// previous session: pushes restart after it (HAProxy's st->update).
	// Nil, or a short slice, restarts from the beginning.
	Resume func(peer string) []uint32
}

// EventKind names what a session reports.
type EventKind int

// The session events.
const (
	EvEstablished EventKind = iota // handshake done (Peer names the remote)
	EvLearned                      // a requested resync ended (Partial: remote not up to date)
	EvClosed                       // the session is over (Status: handshake status if any)
	// EvTaught: the peer confirmed the end of a teach (the old process of
	// a reload may exit once its local peer, the new process, sent it).
	EvTaught
)

// Event is a session report for the section.
type Event struct {
	Kind    EventKind
	Peer    string
	Partial bool
	Status  int
	Err     error
}

type sessState int

const (
	stGetStatus sessState = iota // dialer: hello sent, waiting for the status line
	stGetVersion
	stGetHost
	stGetPeer
	stEstablished
	stClosed
)

// Session is one peers connection, driven by Feed (bytes received), Tick
// (time passing, local updates to push) and read through Output, Events and
// Closed. It does no I/O and reads no clock.
type Session struct {
	cfg       Config
	state     sessState
	peer      string
	dialer    bool
	downgrade bool // the remote speaks 2.0: no timed updates
	in        []byte
	out       []byte
	events    []Event
	deadline  time.Time // handshake deadline

	tables      []*shared
	remote      *shared // table the next updates are for
	lastLocal   *shared // table the last sent updates were for
	heartbeatAt time.Time
	reconnectAt time.Time
	alive       bool

	learn       int // 0 idle, 1 asked to learn (send a resync request), 2 requested
	teaching    bool
	teachDone   bool
	confirms    int
	dictTx      dictTx
	dictRx      [dictCacheSize][]byte
	status      int
	closeReason error
	// show peers counters
	txHbt, rxHbt, protoErr int
}

type shared struct {
	t          Table
	def        TableDef
	lastPushed uint32
	acked      uint32 // the peer's last ack: where a new session restarts
	teachQ     []Entry
	teachStart uint32
	remoteID   uint64
	rdef       TableDef
	lastGet    uint32
	lastAcked  uint32
}

// Dial starts the session of an outgoing connection: the hello is queued.
func Dial(cfg Config, now time.Time) *Session {
	s := newSession(cfg, now)
	s.dialer, s.peer, s.state = true, cfg.Remote, stGetStatus
	minor := MinorVersion
	if cfg.Downgrade {
		minor = DowngradeMinor
		s.downgrade = true
	}
	s.out = AppendHello(s.out, Hello{Major: MajorVersion, Minor: minor, Remote: cfg.Remote, Local: cfg.Local, PID: cfg.PID, RelPID: 1})
	return s
}

// Accept starts the session of an incoming connection.
func Accept(cfg Config, now time.Time) *Session {
	s := newSession(cfg, now)
	s.state = stGetVersion
	return s
}

func newSession(cfg Config, now time.Time) *Session {
	s := &Session{cfg: cfg, deadline: now.Add(HandshakeTimeout)}
	for i, t := range cfg.Tables {
		d := t.Def()
		d.ID = uint64(i + 1)
		s.tables = append(s.tables, &shared{t: t, def: d})
	}
	return s
}

// Peer returns the remote peer's name (known after the hello for Accept).
func (s *Session) Peer() string { return s.peer }

// Established reports whether the handshake succeeded and the session runs.
func (s *Session) Established() bool { return s.state == stEstablished }

// Closed reports whether the session is over, and why. Output may still
// hold a last message (an error status or error message) to send.
func (s *Session) Closed() (bool, error) { return s.state == stClosed, s.closeReason }

// Output returns and forgets the bytes to send.
func (s *Session) Output() []byte {
	o := s.out
	s.out = nil
	return o
}

// Events returns and forgets the events reported since the last call.
func (s *Session) Events() []Event {
	e := s.events
	s.events = nil
	return e
}

// RequestResync makes the session ask the peer for a full resync (the
// section assigned it the lesson).
func (s *Session) RequestResync() {
	if s.learn == 0 {
		s.learn = 1
	}
}

// Acked returns the last update of each table the peer acknowledged, for
// the section to resume the next session from (HAProxy keeps st->update).
func (s *Session) Acked() []uint32 {
	out := make([]uint32, len(s.tables))
	for i, st := range s.tables {
		out[i] = st.acked
	}
	return out
}

func (s *Session) close(status int, err error) {
	if s.state == stClosed {
		return
	}
	if s.learn == 2 {
		err = errors.Join(err, errLearnAborted)
	}
	s.state, s.closeReason = stClosed, err
	s.events = append(s.events, Event{Kind: EvClosed, Peer: s.peer, Status: status, Err: err})
}

var errLearnAborted = errors.New("peers: resync aborted")

// ErrPeerSilent ends a session whose peer sent nothing for two reconnect
// periods; HAProxy then waits 50..2050ms before reconnecting.
var ErrPeerSilent = errors.New("peers: no message from peer for 5s")

// LearnAborted reports whether a closed session's error says it died while
// learning a resync (the section must reassign it).
func LearnAborted(err error) bool { return errors.Is(err, errLearnAborted) }

// Feed consumes received bytes. eof reports the connection's end.
func (s *Session) Feed(now time.Time, data []byte, eof bool) {
	if s.state == stClosed {
		return
	}
	s.in = append(s.in, data...)
	for s.state != stClosed {
		n, err := s.step(now)
		if err != nil {
			s.fail(err)
			break
		}
		if n == 0 {
			break
		}
		s.in = s.in[n:]
	}
	if len(s.in) == 0 {
		s.in = nil
	}
	if eof && s.state != stClosed {
		s.close(s.status, errors.New("peers: connection closed by peer"))
	}
	if s.state == stEstablished {
		s.Tick(now)
	}
}

// fail ends the session after a decoding error, queuing the error message
// HAProxy sends for it.
func (s *Session) fail(err error) {
	var st statusError
	switch {
	case errors.As(err, &st):
		s.out = AppendStatus(s.out, int(st))
		s.close(int(st), err)
	case errors.Is(err, ErrTooLarge):
		s.out = AppendError(s.out, ErrTypeSizeLimit)
		s.close(s.status, err)
	case errors.Is(err, ErrMalformed):
		s.protoErr++
		s.out = AppendError(s.out, ErrTypeProtocol)
		s.close(s.status, err)
	default:
		s.close(s.status, err)
	}
}

// statusError is a handshake refusal: the accepting side answers the code.
type statusError int

func (e statusError) Error() string { return fmt.Sprintf("peers: handshake refused with %d", int(e)) }

// step handles one line or message at the start of s.in and returns the
// bytes it consumed (0: need more).
func (s *Session) step(now time.Time) (int, error) {
	if s.state < stEstablished {
		line, n, err := ReadLine(s.in)
		if err != nil || n == 0 {
			return 0, err
		}
		return n, s.handshakeLine(now, line)
	}
	f, n, err := ParseFrame(s.in)
	if err != nil || n == 0 {
		return 0, err
	}
	s.alive = true
	return n, s.handle(now, f)
}

func (s *Session) handshakeLine(now time.Time, line string) error {
	switch s.state {
	case stGetStatus:
		s.status = ParseStatus(line)
		if s.status != StatusSuccess {
			s.close(s.status, fmt.Errorf("peers: %s answered %d", s.peer, s.status))
			return nil
		}
		s.establish(now)
	case stGetVersion:
		minor, st := CheckVersionLine(line)
		if st != 0 {
			return statusError(st)
		}
		s.downgrade = minor == DowngradeMinor
		s.state = stGetHost
	case stGetHost:
		if line != s.cfg.Local {
			return statusError(StatusErrHost)
		}
		s.state = stGetPeer
	case stGetPeer:
		name, ok := PeerLine(line)
		if !ok {
			return statusError(StatusErrProto)
		}
		if s.cfg.Known == nil || !s.cfg.Known(name) {
			return statusError(StatusErrPeer)
		}
		s.peer = name
		s.out = AppendStatus(s.out, StatusSuccess)
		s.status = StatusSuccess
		s.establish(now)
	}
	return nil
}

// establish starts the message phase as HAProxy's init_connected_peer does:
// pushes restart after the last acked update, the heartbeat is armed.
func (s *Session) establish(now time.Time) {
	s.state = stEstablished
	var resume []uint32
	if s.cfg.Resume != nil {
		resume = s.cfg.Resume(s.peer)
	}
	for i, st := range s.tables {
		if i < len(resume) {
			st.acked = resume[i]
		}
	}
	s.heartbeatAt = now.Add(HeartbeatInterval)
	s.reconnectAt = now.Add(ReconnectTimeout)
	for _, st := range s.tables {
		st.lastGet, st.lastAcked = 0, 0
		// An ack "in the future" is too old to trust: HAProxy then
		// restarts from half the id space back, i.e. pushes everything.
		if last := st.t.LastUpdate(); int32(last-st.acked) < 0 {
			st.acked = last + 1<<31
		}
		st.lastPushed = st.acked
	}
	s.events = append(s.events, Event{Kind: EvEstablished, Peer: s.peer})
	switch {
	case s.peer == s.cfg.Local && s.dialer:
		// The old process of a reload connected to the new one, its
		// local peer: it teaches everything unasked (HAProxy's
		// init_connected_peer sets PEER_F_TEACH_PROCESS for the local peer).
		s.startTeach()
	case s.cfg.Assign != nil && s.cfg.Assign(s.peer):
		s.learn = 1
		if s.peer == s.cfg.Local {
			// The old process teaches without a request: the lesson
			// counts as requested (init_accepted_peer).
			s.learn = 2
		}
	}
}

// startTeach queues every entry of every table, from where the pushes to
// this peer stand, for a full resync.
func (s *Session) startTeach() {
	for _, st := range s.tables {
		st.teachStart = st.acked
		st.lastPushed = st.acked
		st.teachQ = st.t.Snapshot()
	}
	s.teaching, s.teachDone = true, false
}
