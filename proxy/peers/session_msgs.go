package peers

import (
	"errors"
	"time"
)

// handle treats one message of an established session, as HAProxy's
// peer_treat_awaited_msg does: unknown classes and types are ignored, the
// reserved class is a protocol error.
func (s *Session) handle(now time.Time, f Frame) error {
	switch f.Class {
	case ClassControl:
		s.handleControl(now, f.Type)
	case ClassStickTable:
		return s.handleTable(f)
	case ClassReserved:
		return malformed("reserved message class")
	case ClassError:
		// HAProxy reads and ignores them; the sender closes next.
	}
	return nil
}

func (s *Session) handleControl(now time.Time, typ uint8) {
	switch typ {
	case CtrlResyncReq:
		// The peer wants everything: teach every table from where its
		// pushes stand, then say whether we are up to date ourselves.
		s.startTeach()
	case CtrlResyncFinished, CtrlResyncPartial:
		if s.learn == 2 {
			s.learn = 0
			s.events = append(s.events, Event{Kind: EvLearned, Peer: s.peer, Partial: typ == CtrlResyncPartial})
		}
		s.confirms++
	case CtrlResyncConfirm:
		if s.teaching {
			s.events = append(s.events, Event{Kind: EvTaught, Peer: s.peer})
		}
		for _, st := range s.tables {
			st.acked, st.lastPushed = st.teachStart, st.teachStart
			st.teachQ = nil
		}
		s.teaching, s.teachDone = false, false
	case CtrlHeartbeat:
		s.rxHbt++
		s.reconnectAt = now.Add(ReconnectTimeout)
	}
}

func (s *Session) handleTable(f Frame) error {
	switch {
	case f.Type == StktDefine:
		return s.handleDefine(f.Data)
	case f.Type == StktSwitch:
		id, err := DecodeSwitch(f.Data)
		if err != nil {
			return err
		}
		s.remote = nil
		for _, st := range s.tables {
			if st.remoteID == id {
				s.remote = st
				break
			}
		}
	case IsUpdateType(f.Type):
		return s.handleUpdate(f.Type, f.Data)
	case f.Type == StktAck:
		if s.teaching {
			return nil // HAProxy ignores acks while it teaches
		}
		a, err := DecodeAck(f.Data)
		if err != nil {
			return err
		}
		for _, st := range s.tables {
			if st.def.ID == a.TableID {
				st.acked = a.Update
				break
			}
		}
	}
	return nil
}

func (s *Session) handleDefine(d []byte) error {
	def, err := DecodeDefine(d)
	s.remote = nil
	if err != nil && !errors.Is(err, ErrMalformed) || MalformedOnlyIfKnown(err) {
		// An error after the name, or missing parameters: the table is
		// forgotten, and the session goes on.
		if MalformedOnlyIfKnown(err) && s.byName(def.Name) != nil {
			return err
		}
		s.forgetRemoteID(def.ID)
		return nil
	}
	if err != nil {
		return err
	}
	s.forgetRemoteID(def.ID)
	st := s.byName(def.Name)
	if st == nil || st.def.KeyType != def.KeyType || st.def.KeyLen != def.KeyLen {
		return nil // not ours, or not the same key: its updates are skipped
	}
	st.remoteID, st.rdef, s.remote = def.ID, def, st
	return nil
}

func (s *Session) forgetRemoteID(id uint64) {
	for _, st := range s.tables {
		if st.remoteID == id {
			st.remoteID = 0
		}
	}
}

func (s *Session) byName(name string) *shared {
	for _, st := range s.tables {
		if st.def.Name == name {
			return st
		}
	}
	return nil
}

func (s *Session) handleUpdate(typ uint8, d []byte) error {
	st := s.remote
	if st == nil {
		return nil
	}
	u, err := DecodeUpdate(typ, d, &st.rdef)
	if err != nil {
		return err
	}
	if u.HasID {
		st.lastGet = u.ID
	} else {
		st.lastGet++
	}
	e := Entry{Key: u.Key, Expire: uint32(st.def.Expire)}
	if u.Timed {
		e.Expire = u.Expire
	}
	for _, v := range u.Values {
		if v.Type.IsLocal() || !st.def.Has(v.Type) {
			continue
		}
		if v.Type.IsArray() {
			n := st.def.NbElem[v.Type]
			if uint64(len(v.Num)) > n {
				v.Num = v.Num[:n]
			}
			if uint64(len(v.Freq)) > n {
				v.Freq = v.Freq[:n]
			}
		}
		switch v.Type.Std() {
		case StdSInt:
			for i, x := range v.Num {
				v.Num[i] = uint64(int64(int32(x)))
			}
		case StdUInt:
			for i, x := range v.Num {
				v.Num[i] = uint64(uint32(x))
			}
		case StdDict:
			if !v.Dict.Present {
				continue
			}
			if v.Dict.HasValue {
				s.dictRx[v.Dict.ID-1] = v.Dict.Value
			} else {
				v.Dict.Value, v.Dict.HasValue = s.dictRx[v.Dict.ID-1], true
				if v.Dict.Value == nil {
					continue
				}
			}
		}
		e.Values = append(e.Values, v)
	}
	st.t.Apply(e)
	return nil
}

// Tick lets time pass: it pushes what the tables changed, acks what was
// received, runs the teach of a requested resync, and keeps the heartbeat
// and the silent-peer deadline as HAProxy's sync task does.
func (s *Session) Tick(now time.Time) {
	switch s.state {
	case stClosed:
		return
	case stEstablished:
	default:
		if !now.Before(s.deadline) {
			s.close(s.status, errors.New("peers: handshake timeout"))
		}
		return
	}
	pending := false
	for _, st := range s.tables {
		if st.lastPushed != st.t.LastUpdate() {
			pending = true
		}
	}
	heartbeat := false
	if pending {
		s.heartbeatAt = now.Add(HeartbeatInterval)
		if !now.Before(s.reconnectAt) {
			s.reconnectAt = now.Add(ReconnectTimeout)
		}
	} else if !now.Before(s.reconnectAt) {
		if !s.alive {
			s.close(s.status, ErrPeerSilent)
			return
		}
		s.alive = false
		s.reconnectAt = now.Add(ReconnectTimeout)
	} else if !now.Before(s.heartbeatAt) {
		s.heartbeatAt = now.Add(HeartbeatInterval)
		heartbeat = true
	}
	if heartbeat {
		s.txHbt++
		s.out = AppendControl(s.out, CtrlHeartbeat)
	}
	s.sendMsgs()
}

// NextDeadline returns when Tick must run next at the latest.
func (s *Session) NextDeadline() time.Time {
	if s.state != stEstablished {
		return s.deadline
	}
	if s.heartbeatAt.Before(s.reconnectAt) {
		return s.heartbeatAt
	}
	return s.reconnectAt
}

// sendMsgs is HAProxy's peer_send_msgs: resync request, then per table its
// ack and its updates (local changes, or the teach), then the end of a
// teach and the confirms owed.
func (s *Session) sendMsgs() {
	if s.learn == 1 {
		s.out = AppendControl(s.out, CtrlResyncReq)
		s.learn = 2
	}
	for _, st := range s.tables {
		if st.lastGet != st.lastAcked {
			s.out = AppendAck(s.out, Ack{TableID: st.remoteID, Update: st.lastGet})
			st.lastAcked = st.lastGet
		}
		if !s.teaching {
			if s.learn == 0 { // no pushes while this peer teaches us
				s.pushLocal(st)
			}
		} else if !s.teachDone {
			s.pushTeach(st)
		}
	}
	if s.teaching && !s.teachDone {
		typ := CtrlResyncPartial
		if s.cfg.Synced == nil || s.cfg.Synced() {
			typ = CtrlResyncFinished
		}
		s.out = AppendControl(s.out, typ)
		s.teachDone = true
	}
	for ; s.confirms > 0; s.confirms-- {
		s.out = AppendControl(s.out, CtrlResyncConfirm)
	}
}

func (s *Session) defineOnce(st *shared) {
	if s.lastLocal != st {
		s.out = AppendDefine(s.out, &st.def)
		s.lastLocal = st
	}
}

// pushLocal sends the table's local changes after lastPushed, without
// expire (the receiver applies its own), with an update id on the first
// one and wherever the ids are not consecutive.
func (s *Session) pushLocal(st *shared) {
	last := st.t.LastUpdate()
	if st.lastPushed == last {
		return
	}
	forceID := true
	for sent := 0; sent < 64*MaxUpdatesAtOnce; {
		batch := st.t.UpdatesAfter(st.lastPushed, MaxUpdatesAtOnce)
		if len(batch) == 0 {
			// The changes left were to entries gone since (expired).
			if int32(last-st.lastPushed) > 0 {
				st.lastPushed = last
			}
			return
		}
		s.defineOnce(st)
		for _, e := range batch {
			u := s.updateOf(st, e, false)
			u.HasID = forceID || e.Update != st.lastPushed+1
			s.out = AppendUpdate(s.out, &st.def, &u)
			st.lastPushed = e.Update
			forceID = false
		}
		sent += len(batch)
	}
}

// pushTeach sends the whole table with each entry's update id and
// remaining lifetime (unless the peer speaks 2.0).
func (s *Session) pushTeach(st *shared) {
	if len(st.teachQ) == 0 {
		return
	}
	s.defineOnce(st)
	for _, e := range st.teachQ {
		u := s.updateOf(st, e, !s.downgrade)
		u.HasID = true
		s.out = AppendUpdate(s.out, &st.def, &u)
	}
	st.teachQ = nil
}

// updateOf builds the update of e with one value per type of the table's
// definition, zero where e lacks one.
func (s *Session) updateOf(st *shared, e Entry, timed bool) Update {
	u := Update{ID: e.Update, Key: e.Key, Timed: timed, Expire: e.Expire}
	for dt := DataType(0); dt < NumDataTypes; dt++ {
		if !st.def.Has(dt) {
			continue
		}
		v, ok := e.ValueOf(dt)
		if !ok {
			v = Value{Type: dt}
		}
		n := int(st.def.elems(dt))
		switch dt.Std() {
		case StdFreq:
			v.Freq = fitFreq(v.Freq, n)
		case StdDict:
			v.Dict = s.dictTx.ref(v.Dict)
		default:
			v.Num = fitNum(v.Num, n)
		}
		u.Values = append(u.Values, v)
	}
	return u
}

func fitNum(x []uint64, n int) []uint64 {
	out := make([]uint64, n)
	copy(out, x)
	return out
}

func fitFreq(x []FreqCtr, n int) []FreqCtr {
	out := make([]FreqCtr, n)
	copy(out, x)
	return out
}

// dictTx is the sending side's server_key cache: a value goes with its id
// the first time, the id alone afterwards; ids are reused round-robin.
type dictTx struct {
	ids  map[string]uint64
	byID [dictCacheSize]string
	next uint64
}

func (d *dictTx) ref(r DictRef) DictRef {
	if !r.Present || !r.HasValue {
		return DictRef{}
	}
	if d.ids == nil {
		d.ids = map[string]uint64{}
	}
	if id, ok := d.ids[string(r.Value)]; ok {
		return DictRef{Present: true, ID: id}
	}
	id := d.next%dictCacheSize + 1
	d.next++
	delete(d.ids, d.byID[id-1])
	d.byID[id-1] = string(r.Value)
	d.ids[string(r.Value)] = id
	return DictRef{Present: true, ID: id, HasValue: true, Value: r.Value}
}
