package main

import (
	"io"

	"github.com/goha-lb/goha/parser/haproxy"
)

// openStatsSocket creates a `stats socket` (before chroot) and serves the
// runtime API on it.
func openStatsSocket(ss haproxy.StatsSocket, w *worker) (io.Closer, error) {
	return io.NopCloser(nil), nil
}
