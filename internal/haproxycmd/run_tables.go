package haproxycmd

import (
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/stick"
)

// The runtime API's stick-table commands over the worker's tables:
// runtimeSource implements runtimeapi.Tables.

func (s *runtimeSource) StickTables() []*stick.Table { return s.w.plan.Proxy.Tables }

func (s *runtimeSource) StickNow() uint32 { return proxy.StickNow() }
