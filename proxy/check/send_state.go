package check

import (
	"context"
	"fmt"
)

// `http-check send-state`: each HTTP check request carries HAProxy's
// X-Haproxy-Server-State header, the server's check state as the check
// starts followed by the proxy's figures (RunnerOptions.ServerState), as
// HAProxy 2.6's httpchk_build_status_header writes it.

// StateWords is the header's first part: "UP" when fully healthy, "UP
// n/fall" with the failures left before DOWN, "DOWN n/rise" with the
// successes gathered toward UP, "DOWN" at none, and "NOLB" for an UP
// server drained by disable-on-404 (HAProxy's stopping state).
func (h Health) StateWords(stopping bool) string {
	if !h.up {
		if h.health > 0 {
			return fmt.Sprintf("DOWN %d/%d", h.health, h.Rise)
		}
		return "DOWN"
	}
	word := "UP"
	if stopping {
		word = "NOLB"
	}
	if h.Full() {
		return word
	}
	return fmt.Sprintf("%s %d/%d", word, h.health-h.Rise+1, h.Fall)
}

type serverStateKey struct{}

// withServerState hands the header's value to the probe of one check.
func withServerState(ctx context.Context, v string) context.Context {
	return context.WithValue(ctx, serverStateKey{}, v)
}

// serverState is the header value a check carries ("" = none).
func serverState(ctx context.Context) string {
	v, _ := ctx.Value(serverStateKey{}).(string)
	return v
}

// withStateHeader is the request with the state header after its own
// headers, where HAProxy adds it.
func (r ProbeRequest) withStateHeader(v string) ProbeRequest {
	if v == "" {
		return r
	}
	r.Headers = append(r.Headers[:len(r.Headers):len(r.Headers)], Header{Name: "x-haproxy-server-state", Value: v})
	return r
}
