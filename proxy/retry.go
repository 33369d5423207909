package proxy

import (
	"time"
)

// retryFacts is what HAProxy 2.6 looks at when a connection attempt to a
// server has failed (back_handle_st_cer and stream_choose_redispatch).
type retryFacts struct {
	Retries    int  // `retries`
	Failures   int  // failed attempts so far, this one included (>= 1)
	ConnRetry  bool // `retry-on` covers conn-failure (the default)
	Redispatch bool // `option redispatch` (with a non-zero interval)
	// RedispatchEvery is the interval of `option redispatch <interval>`:
	// P > 0 redispatches every Pth retry, N < 0 on the Nth retry before the
	// last (the default -1: the last one); 0 turns the interval off (the
	// other reasons to redispatch remain, as in HAProxy).
	RedispatchEvery int
	Persistent      bool // `force-persist` matched: the request stays on its server
	Direct          bool // the server was chosen by a persistence cookie
	ServerDown      bool // the server that failed is no longer marked up
	ActiveServers   int  // usable non-backup servers (the failed one counts while it is up)
	HashBalance     bool // a hash algorithm: another pick would choose the same server
	Refused         bool // an error the socket reported (refused, reset), not a timeout
	Reused          bool // the attempt was on a reused connection
}

// retryPlan is the decision: give up (503), or try again, on another
// server (Redispatch) or the same one, after the turn-around timer (Wait)
// or at once.
type retryPlan struct {
	GiveUp     bool
	Redispatch bool
	Wait       bool
}

// decideRetry applies HAProxy 2.6's rules:
//   - `retries` counts retries: Retries+1 attempts in all; without
//     conn-failure in `retry-on` a failed connection is not retried;
//   - with `option redispatch` the retry goes to another server when the
//     failed one is down, when the interval says so (by default the last
//     retry), or when the session is not persistent, another active server
//     exists and the algorithm is not a hash (any server will do then);
//   - a refused connection is retried after the turn-around timer,
//     min(timeout connect, 1s), unless the retry goes to another server of
//     a farm with more than one active server (or the connection was a
//     reused one); a timed-out attempt already waited `timeout connect`.
func decideRetry(f retryFacts) retryPlan {
	if f.Failures > f.Retries || !f.ConnRetry {
		return retryPlan{GiveUp: true}
	}
	var p retryPlan
	if f.Redispatch && !f.Persistent {
		every := f.RedispatchEvery
		interval := false
		if every > 0 {
			interval = f.Failures%every == 0
		} else if n := f.Retries + 1 + every; every < 0 && n > 0 {
			interval = f.Failures%n == 0
		}
		p.Redispatch = f.ServerDown || interval || (!f.Direct && f.ActiveServers > 1 && !f.HashBalance)
	}
	p.Wait = f.Refused && !f.Reused && (!p.Redispatch || f.ActiveServers <= 1)
	return p
}

// turnaround is HAProxy's delay before retrying a refused connection.
func turnaround(connectTimeout time.Duration) time.Duration {
	if connectTimeout > 0 && connectTimeout < time.Second {
		return connectTimeout
	}
	return time.Second
}
