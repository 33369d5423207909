package check

import (
	"fmt"
	"time"
)

// Health is HAProxy's rise/fall counter for one server. health runs from 0
// (down, no success yet) to rise+fall-1 (up and fully healthy); the server
// is UP while health >= rise. It is a value type with no clock or I/O.
type Health struct {
	Rise, Fall int
	health     int
	up         bool
}

// NewHealth returns the state of a server that was just configured with
// `check`: UP, with health = rise, so the first failure takes it DOWN
// ("up, but will fall down at first failure").
func NewHealth(rise, fall int) Health {
	rise, fall = max(rise, 1), max(fall, 1)
	return Health{Rise: rise, Fall: fall, health: rise, up: true}
}

// Up reports the server's state as checks see it.
func (h Health) Up() bool { return h.up }

// Value is the raw health counter (0..rise+fall-1).
func (h Health) Value() int { return h.health }

// Full reports whether the counter is at its maximum (fully healthy).
func (h Health) Full() bool { return h.health == h.Rise+h.Fall-1 }

// Observe applies one check result. changed reports that the counter moved
// (what HAProxy counts as worth logging with log-health-checks); flipped
// that the UP/DOWN state changed.
func (h *Health) Observe(passed bool) (changed, flipped bool) {
	old, wasUp := h.health, h.up
	top := h.Rise + h.Fall - 1
	if passed {
		if h.health < top {
			h.health++
			if h.health >= h.Rise {
				h.health = top
			}
		}
		if h.health >= h.Rise {
			h.up = true
		}
	} else {
		if h.health > 0 {
			h.health--
			if h.health < h.Rise {
				h.health = 0
			}
		}
		if h.health == 0 {
			h.up = false
		}
	}
	return h.health != old, h.up != wasUp
}

// Status is the "status: x/y UP|DOWN" part of HAProxy's health-check log
// lines: successes toward rise while DOWN, remaining failures before DOWN
// while UP.
func (h Health) Status() string {
	if h.up {
		return fmt.Sprintf("%d/%d UP", h.health-h.Rise+1, h.Fall)
	}
	return fmt.Sprintf("%d/%d DOWN", h.health, h.Rise)
}

// Intervals are a server's `inter`, `fastinter` and `downinter`, all set
// (NewRunner refuses a zero one): proxy/haproxycfg fills inter from
// parser/haproxy's defaults table and fastinter/downinter with inter when
// the server line leaves them out, as HAProxy does.
type Intervals struct {
	Inter, FastInter, DownInter time.Duration
}

// Next is the delay before the next check in state h (srv_getinter):
// inter while fully healthy, downinter while fully down, fastinter in
// between.
func (iv Intervals) Next(h Health) time.Duration {
	switch {
	case h.Full():
		return iv.Inter
	case !h.up && h.health == 0:
		return iv.DownInter
	default:
		return iv.FastInter
	}
}
