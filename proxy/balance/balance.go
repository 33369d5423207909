// Package balance chooses a server for a request the way HAProxy's `balance`
// algorithms do. It is pure: no sockets, no clock; the caller owns server
// state (health, weights, connection counts) and tells the balancer when it
// changes.
package balance

import (
	"net/netip"
	"sync/atomic"
)

// Server is one backend server as a balancer sees it. The backend owns it;
// health checks and the runtime API change Up, Weight and Backup and then call
// Balancer.Update.
type Server struct {
	Name   string
	ID     int  // 1-based position in the backend (HAProxy's server id order)
	Weight int  // current user weight, 0..256; 0 means never picked (drain)
	Backup bool // used only when no active server is usable (or with allbackups)
	Up     bool // only servers that are Up are picked

	// MaxConn is the server's maxconn (0 = unlimited); `first` fills servers
	// up to it in id order.
	MaxConn int64
	// Conns is the number of connections currently assigned to the server.
	// The caller increments it when it uses a picked server and decrements
	// it when the connection ends; leastconn and first read it.
	Conns atomic.Int64
}

// Request carries what the hashing algorithms read from a request.
type Request struct {
	Src    netip.Addr // client address (`source`)
	URI    string     // request target as received, path and query (`uri`, `url_param`)
	Header func(name string) (value string, ok bool)
	// Body is the part of the request body already received; `url_param
	// NAME check_post` looks for the parameter there when the URI has none.
	// Nil is fine: the algorithm then falls back as HAProxy does when the
	// body has not arrived.
	Body []byte
}

// Balancer picks servers. Implementations are safe for concurrent use.
type Balancer interface {
	// Pick returns the chosen server, or nil when no server is usable.
	Pick(r *Request) *Server
	// Update rebuilds internal tables after any server's Up, Weight or
	// Backup changed.
	Update()
}
