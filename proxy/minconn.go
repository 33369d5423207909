package proxy

import "time"

// DynamicMaxconn is HAProxy's srv_dynamic_maxconn without slow start: a
// server with `minconn` below its `maxconn` takes minconn connections at
// least, and more in proportion as its backend's connections (beconn)
// approach `fullconn`, all of maxconn from fullconn on.
func DynamicMaxconn(maxconn, minconn, beconn, fullconn int64) int64 {
	if beconn >= fullconn || minconn == maxconn {
		return maxconn
	}
	return max(minconn, beconn*maxconn/fullconn)
}

// WarmMaxconn limits a starting server's maxconn as its slow start goes
// (HAProxy: in proportion to the elapsed part, in whole percent of whole
// seconds, at least 1); since is the start in Unix seconds.
func WarmMaxconn(limit, since int64, now time.Time, ss time.Duration) int64 {
	secs, cur := slowstartSecs(ss), now.Unix()
	if secs <= 0 || cur < since || cur >= since+secs {
		return limit
	}
	ratio := 100 * (cur - since) / secs
	return max(1, limit*ratio/100)
}

// dynMaxConn is srv's limit now, for a server with minconn or a slow
// start and a maxconn: the backend's connections are those on its
// servers, those queued, and the one asking.
func (b *backend) dynMaxConn(srv *server) int64 {
	limit := srv.maxConn.Load()
	if limit <= 0 {
		return limit
	}
	if minc := int64(srv.cfg.MinConn); minc > 0 && minc < limit {
		beconn := int64(b.queue.n.Load()) + 1
		for _, s := range b.list() {
			beconn += s.bal.Conns.Load()
		}
		limit = DynamicMaxconn(limit, minc, beconn, int64(b.cfg.FullConn))
	}
	if since := srv.warmSince.Load(); since != 0 {
		limit = WarmMaxconn(limit, since, time.Now(), srv.cfg.Slowstart)
	}
	return limit
}
