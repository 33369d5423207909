package peers

import "time"

// SessionCounters is what "show peers" prints of a session.
type SessionCounters struct {
	TxHeartbeats, RxHeartbeats int
	ProtoErrors                int
	// Confirms are the resync confirms still to send (HAProxy's
	// peer->confirm).
	Confirms int
	// State is HAProxy's appctx st0 for the session (7: waiting for
	// messages once established).
	State int
	// RemoteTable and LastLocalTable are the tables the last received
	// switch/definition and the last sent updates were for (0: none),
	// as local ids.
	RemoteTable, LastLocalTable uint64
	Tables                      []TableCounters
	// Flags are HAProxy's peer->flags of the session (PEER_F_*).
	Flags uint32
	// NextHeartbeat and NextReconnect are the established session's
	// heartbeat and silent-peer deadlines (zero before).
	NextHeartbeat, NextReconnect time.Time
}

// HAProxy's peer flags (PEER_F_* in src/peers.c).
const (
	PeerFlagTeachProcess  uint32 = 0x00000001
	PeerFlagTeachFinished uint32 = 0x00000008
	PeerFlagTeachComplete uint32 = 0x00000010
	PeerFlagLearnAssign   uint32 = 0x00000100
	PeerFlagNotUp2Date    uint32 = 0x00000200
	PeerFlagAlive         uint32 = 0x20000000
	PeerFlagDowngrade     uint32 = 0x80000000
)

// TableCounters is one shared table of a session, as HAProxy's
// shared_table fields.
type TableCounters struct {
	LocalID, RemoteID uint64
	Flags             uint32 // SHTABLE_F_TEACH_STAGE1|2
	RemoteData        uint64 // data types of the peer's definition
	LastAcked         uint32
	LastPushed        uint32
	LastGet           uint32
	TeachingOrigin    uint32
	Update            uint32 // the peer's last ack
	Name              string
	LocalUpdate       uint32 // the table's latest local change
}

// HAProxy's appctx states of a peer session (enum in src/peers.c).
const (
	appStGetVersion = 1
	appStGetHost    = 2
	appStGetPeer    = 3
	appStGetStatus  = 6
	appStWaitMsg    = 7
	appStEnd        = 11
)

// Counters returns the session's counters.
func (s *Session) Counters() SessionCounters {
	c := SessionCounters{TxHeartbeats: s.txHbt, RxHeartbeats: s.rxHbt, ProtoErrors: s.protoErr, Confirms: s.confirms}
	switch s.state {
	case stGetStatus:
		c.State = appStGetStatus
	case stGetVersion:
		c.State = appStGetVersion
	case stGetHost:
		c.State = appStGetHost
	case stGetPeer:
		c.State = appStGetPeer
	case stEstablished:
		c.State = appStWaitMsg
		c.NextHeartbeat, c.NextReconnect = s.heartbeatAt, s.reconnectAt
	default:
		c.State = appStEnd
	}
	if s.teaching {
		c.Flags |= pick(s.teachDone, PeerFlagTeachFinished, PeerFlagTeachProcess)
	}
	if s.learn != 0 {
		c.Flags |= PeerFlagLearnAssign
	}
	if s.alive {
		c.Flags |= PeerFlagAlive
	}
	if s.cfg.Downgrade {
		c.Flags |= PeerFlagDowngrade
	}
	if s.remote != nil {
		c.RemoteTable = s.remote.def.ID
	}
	if s.lastLocal != nil {
		c.LastLocalTable = s.lastLocal.def.ID
	}
	for _, st := range s.tables {
		tc := TableCounters{LocalID: st.def.ID, RemoteID: st.remoteID, LastAcked: st.lastAcked, LastPushed: st.lastPushed,
			LastGet: st.lastGet, TeachingOrigin: st.teachStart, Update: st.acked, Name: st.def.Name, LocalUpdate: st.t.LastUpdate()}
		if st.remoteID != 0 {
			tc.RemoteData = st.rdef.Types
		}
		c.Tables = append(c.Tables, tc)
	}
	return c
}
