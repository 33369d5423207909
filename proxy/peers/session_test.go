package peers

import (
	"bytes"
	"net/netip"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time                { return c.t }
func (c *clock) add(d time.Duration) time.Time { c.t = c.t.Add(d); return c.t }

func ipDef() TableDef {
	d := TableDef{Name: "st", KeyType: KeyIPv4, KeyLen: 4, Expire: 30000}
	for _, dt := range []DataType{DTConnCur, DTHTTPReqCnt, DTHTTPReqRate, DTGPC} {
		d.Types |= 1 << dt
	}
	d.Period[DTHTTPReqRate] = 10000
	d.NbElem[DTGPC] = 2
	return d
}

func ip4(s string) []byte { a := netip.MustParseAddr(s).As4(); return a[:] }

// pair connects a dialer A and an acceptor B in memory.
type pair struct {
	c      *clock
	a, b   *Session
	ta, tb *MemTable
	evA    []Event
	evB    []Event
}

func newPair(t *testing.T) *pair {
	c := &clock{t: time.Unix(1000, 0)}
	p := &pair{c: c, ta: NewMemTable(ipDef(), c.now), tb: NewMemTable(ipDef(), c.now)}
	p.a = Dial(Config{Local: "A", Remote: "B", PID: 7, Tables: []Table{p.ta}}, c.t)
	p.b = Accept(Config{Local: "B", Known: func(n string) bool { return n == "A" }, Tables: []Table{p.tb}}, c.t)
	return p
}

// pump moves bytes both ways until nothing is left to send.
func (p *pair) pump() {
	for i := 0; i < 20; i++ {
		oa, ob := p.a.Output(), p.b.Output()
		if len(oa) == 0 && len(ob) == 0 {
			return
		}
		p.b.Feed(p.c.t, oa, false)
		p.a.Feed(p.c.t, ob, false)
		p.evA = append(p.evA, p.a.Events()...)
		p.evB = append(p.evB, p.b.Events()...)
	}
}

func (p *pair) tick() { p.a.Tick(p.c.t); p.b.Tick(p.c.t); p.pump() }

func TestSessionHandshakeAndResync(t *testing.T) {
	p := newPair(t)
	rate := Value{Type: DTHTTPReqRate, Freq: []FreqCtr{{Age: 100, Curr: 3, Prev: 9}}}
	p.ta.Set(ip4("10.0.0.1"), 0, []Value{{Type: DTHTTPReqCnt, Num: []uint64{12}}, rate, {Type: DTConnCur, Num: []uint64{5}}})
	hello := string(p.a.out)
	if hello != "HAProxyS 2.1\nB\nA 7 1\n" {
		t.Fatalf("hello = %q", hello)
	}
	p.pump()
	if !p.a.Established() || !p.b.Established() || p.b.Peer() != "A" {
		t.Fatalf("not established: %v %v", p.a.state, p.b.state)
	}
	// A pushed its local change on establishment (nothing acked yet).
	e, ok := p.tb.Get(ip4("10.0.0.1"))
	if !ok {
		t.Fatal("entry not pushed")
	}
	if v, _ := e.ValueOf(DTHTTPReqCnt); v.Num[0] != 12 {
		t.Errorf("http_req_cnt = %v", v.Num)
	}
	if v, _ := e.ValueOf(DTHTTPReqRate); v.Freq[0] != (FreqCtr{Age: 100, Curr: 3, Prev: 9}) {
		t.Errorf("http_req_rate = %v", v.Freq)
	}
	if _, ok := e.ValueOf(DTConnCur); ok {
		t.Errorf("conn_cur learned from a peer")
	}
	if e.Expire != 30000 {
		t.Errorf("untimed update expire = %d, want the table's", e.Expire)
	}
	if p.a.tables[0].acked != 1 {
		t.Errorf("A's ack = %d, want 1", p.a.tables[0].acked)
	}
	// B asks for a full resync: A teaches with remaining lifetimes.
	p.tb.Set(ip4("10.0.0.2"), 0, nil)
	p.c.add(time.Second)
	p.b.RequestResync()
	p.tick()
	var learned *Event
	for i, ev := range p.evB {
		if ev.Kind == EvLearned {
			learned = &p.evB[i]
		}
	}
	if learned == nil || learned.Partial {
		t.Fatalf("B events %+v: want a finished lesson", p.evB)
	}
	if e, _ := p.tb.Get(ip4("10.0.0.1")); e.Expire != 29000 {
		t.Errorf("taught expire = %d, want 29000", e.Expire)
	}
	if _, ok := p.ta.Get(ip4("10.0.0.2")); !ok {
		t.Errorf("B's local entry not pushed to A")
	}
	if p.a.teaching {
		t.Errorf("A still teaching after the confirm")
	}
}

func TestSessionHeartbeatAndSilence(t *testing.T) {
	p := newPair(t)
	p.pump()
	p.c.add(HeartbeatInterval)
	p.a.Tick(p.c.t)
	if out := p.a.Output(); !bytes.Equal(out, []byte{ClassControl, CtrlHeartbeat}) {
		t.Fatalf("after 3s idle A sends % x, want a heartbeat", out)
	}
	// B hears nothing from now on: alive from the heartbeat for one
	// period, closed after the next.
	p.b.Feed(p.c.t, []byte{ClassControl, CtrlHeartbeat}, false)
	p.c.add(ReconnectTimeout)
	p.b.Tick(p.c.t)
	if c, _ := p.b.Closed(); c {
		t.Fatal("closed while the peer was alive in the period")
	}
	p.c.add(ReconnectTimeout)
	p.b.Tick(p.c.t)
	if c, err := p.b.Closed(); !c {
		t.Fatalf("silent peer not dropped (%v)", err)
	}
}

func TestSessionRefusals(t *testing.T) {
	cases := []struct {
		hello string
		want  string
	}{
		{"HAProxyX 2.1\nB\nA 1 1\n", "501\n"},
		{"HAProxyS 3.0\nB\nA 1 1\n", "502\n"},
		{"HAProxyS 2.2\nB\nA 1 1\n", "502\n"},
		{"HAProxyS 2.1\nC\nA 1 1\n", "503\n"},
		{"HAProxyS 2.1\nB\nZ 1 1\n", "504\n"},
		{"HAProxyS 2.1\nB\nA\n", "501\n"},
		{"HAProxyS 2.1\r\nB\r\nA 1 1\r\n", "200\n"},
	}
	for _, c := range cases {
		s := Accept(Config{Local: "B", Known: func(n string) bool { return n == "A" }}, time.Unix(0, 0))
		s.Feed(time.Unix(0, 0), []byte(c.hello), false)
		if got := string(s.Output()); got != c.want {
			t.Errorf("%q: answer %q, want %q", c.hello, got, c.want)
		}
	}
}

func TestSessionMalformedClosesWithProtocolError(t *testing.T) {
	p := newPair(t)
	p.pump()
	// An ack too short for its update id.
	p.b.Feed(p.c.t, []byte{ClassStickTable, StktAck, 1, 1}, false)
	if c, _ := p.b.Closed(); !c {
		t.Fatal("session survived a malformed ack")
	}
	if out := p.b.Output(); !bytes.Equal(out, []byte{ClassError, ErrTypeProtocol}) {
		t.Errorf("answer % x, want a protocol error", out)
	}
	p.a.Feed(p.c.t, []byte{ClassStickTable, StktUpdate, 0xf0, 0xff, 0xff, 0xff, 0xff}, false)
	if out := p.a.Output(); !bytes.Equal(out, []byte{ClassError, ErrTypeProtocol}) {
		t.Errorf("bad length: answer % x, want a protocol error", out)
	}
	q := newPair(t)
	q.pump()
	q.a.Feed(q.c.t, []byte{ClassStickTable, StktUpdate, 0xf0, 0xff, 0x08}, false)
	if out := q.a.Output(); !bytes.Equal(out, []byte{ClassError, ErrTypeSizeLimit}) {
		t.Errorf("oversize: answer % x, want a size-limit error", out)
	}
}

// More changes than MaxUpdatesAtOnce all go, in update-id order, the first
// with its id and the others as increments.
func TestSessionPushesInBatches(t *testing.T) {
	p := newPair(t)
	p.pump()
	const n = 2*MaxUpdatesAtOnce + 50
	for i := 0; i < n; i++ {
		p.ta.Set([]byte{10, 1, byte(i >> 8), byte(i)}, 0, []Value{{Type: DTHTTPReqCnt, Num: []uint64{uint64(i)}}})
	}
	p.a.Tick(p.c.t)
	out := p.a.Output()
	withID, inc := 0, 0
	for b := out; len(b) > 0; {
		f, k, err := ParseFrame(b)
		if err != nil || k == 0 {
			t.Fatal(err)
		}
		switch f.Type {
		case StktUpdate:
			withID++
		case StktIncUpdate:
			inc++
		}
		b = b[k:]
	}
	if withID != 1 || inc != n-1 {
		t.Errorf("%d updates with id, %d increments; want 1 and %d", withID, inc, n-1)
	}
	p.b.Feed(p.c.t, out, false)
	if p.tb.Len() != n {
		t.Errorf("B has %d entries, want %d", p.tb.Len(), n)
	}
	p.pump()
	if p.a.tables[0].acked != uint32(n) {
		t.Errorf("acked %d, want %d", p.a.tables[0].acked, n)
	}
}

// A peer given the lesson at the handshake is asked for a resync at once,
// and no local change is pushed to it before the lesson ends (HAProxy's
// PEER_F_LEARN_ASSIGN).
func TestSessionAssignedHoldsPushes(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	ta, tb := NewMemTable(ipDef(), c.now), NewMemTable(ipDef(), c.now)
	ta.Set(ip4("10.0.0.1"), 0, nil)
	tb.Set(ip4("10.0.0.2"), 0, nil)
	a := Dial(Config{Local: "A", Remote: "B", Tables: []Table{ta}, Assign: func(string) bool { return true }}, c.t)
	b := Accept(Config{Local: "B", Known: func(string) bool { return true }, Tables: []Table{tb}}, c.t)
	b.Feed(c.t, a.Output(), false)
	fromB := b.Output() // "200" and B's own push
	a.Feed(c.t, fromB, false)
	out := a.Output()
	if !bytes.HasPrefix(out, []byte{ClassControl, CtrlResyncReq}) {
		t.Fatalf("A sent % x after the handshake, want the resync request first", out)
	}
	for b := out; len(b) > 0; {
		f, n, err := ParseFrame(b)
		if err != nil || n == 0 {
			t.Fatal(err)
		}
		if IsUpdateType(f.Type) || f.Type == StktDefine {
			t.Fatalf("A pushed % x while learning", out)
		}
		b = b[n:]
	}
	p := &pair{c: c, a: a, b: b, ta: ta, tb: tb}
	b.Feed(c.t, out, false)
	p.pump()
	if _, ok := tb.Get(ip4("10.0.0.1")); !ok {
		t.Error("A's change not pushed after the lesson")
	}
	if _, ok := ta.Get(ip4("10.0.0.2")); !ok {
		t.Error("B's entry not learned")
	}
}

// A peer announcing version 2.0 (HAProxy after a 502) is accepted and
// taught without lifetimes (no timed updates), as HAProxy's PEER_F_DWNGRD
// does; a dialer told to downgrade announces 2.0.
func TestSessionDowngrade(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	ta := NewMemTable(ipDef(), c.now)
	ta.Set(ip4("10.0.0.1"), 0, nil)
	d := Dial(Config{Local: "A", Remote: "B", Downgrade: true}, c.t)
	if got := string(d.Output()); got != "HAProxyS 2.0\nB\nA 0 1\n" {
		t.Errorf("downgraded hello %q", got)
	}
	s := Accept(Config{Local: "A", Known: func(string) bool { return true }, Tables: []Table{ta}}, c.t)
	s.Feed(c.t, []byte("HAProxyS 2.0\nA\nB 1 1\n"), false)
	s.Output()
	s.Feed(c.t, []byte{ClassControl, CtrlResyncReq}, false)
	updates := 0
	for b := s.Output(); len(b) > 0; {
		f, n, err := ParseFrame(b)
		if err != nil || n == 0 {
			t.Fatal(err)
		}
		if f.Type == StktUpdateTimed || f.Type == StktIncUpdateTimed {
			t.Fatalf("timed update % x sent to a 2.0 peer", f.Data)
		}
		if IsUpdateType(f.Type) {
			updates++
		}
		b = b[n:]
	}
	if updates != 1 { // the teach (the push at the handshake went with "200")
		t.Errorf("%d updates taught, want 1", updates)
	}
}
