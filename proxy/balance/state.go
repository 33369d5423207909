package balance

// HAProxy scales user weights (0..256) by BE_WEIGHT_SCALE into effective
// weights for the dynamic algorithms; the constants keep its arithmetic
// (and therefore its pick order) intact.
const (
	weightScale = 16
	uweightMax  = 256
	eweightMax  = uweightMax * weightScale
)

// member is the balancer's committed view of one Server: what it was when
// Update (or Build) last looked. Pick only reads members, never the Server's
// Up/Weight/Backup, so a writer changing them between Updates cannot tear a
// pick.
type member struct {
	s       *Server
	usable  bool // Up and weight > 0
	backup  bool
	eweight int
}

// census is HAProxy's per-backend tally (srv_act, srv_bck, tot_wact,
// tot_wbck, fbck, tot_weight, tot_used).
type census struct {
	srvAct, srvBck   int
	totWact, totWbck int
	// fbck is the first usable backup in id order, set only without
	// allbackups: when no active server is usable it takes all traffic.
	fbck      *member
	totWeight int // weight of the servers currently balanced over
	totUsed   int // number of servers currently balanced over
}

func (c *census) count(ms []*member, allBackups bool) {
	*c = census{}
	for _, m := range ms {
		if !m.usable {
			continue
		}
		if m.backup {
			if c.srvBck == 0 && !allBackups {
				c.fbck = m
			}
			c.srvBck++
			c.totWbck += m.eweight
		} else {
			c.srvAct++
			c.totWact += m.eweight
		}
	}
	switch {
	case c.srvAct > 0:
		c.totWeight, c.totUsed = c.totWact, c.srvAct
	case c.fbck != nil:
		c.totWeight, c.totUsed = c.fbck.eweight, 1
	default:
		c.totWeight, c.totUsed = c.totWbck, c.srvBck
	}
}

// inGroup reports whether m takes part in picks under census c: active
// servers while any is usable, else the backups (all of them here; callers
// handle fbck first).
func (c *census) inGroup(m *member) bool {
	return m.usable && m.backup == (c.srvAct == 0)
}

// hasRoom is HAProxy's "not saturated" test: no maxconn, or fewer
// connections than maxconn (the dynamic one when the server has it).
func hasRoom(s *Server) bool {
	m := s.MaxConn
	if m > 0 && s.DynMaxConn != nil {
		m = s.DynMaxConn()
	}
	return m <= 0 || s.Conns.Load() < m
}

// puid is the server's id as HAProxy numbers it (Server.PUID).
func (s *Server) puid() int {
	if s.PUID > 0 {
		return s.PUID
	}
	return s.ID
}

func usableNow(s *Server) bool { return s.Up && s.Weight > 0 }
