package haproxycmd

import (
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// ErrorSnapshots is `show errors`: the last message each proxy section
// refused, in each direction.
func (s *runtimeSource) ErrorSnapshots() (map[string]runtimeapi.ProxyErrorSnapshots, uint32) {
	caps, events := s.w.px.ErrorCaptures()
	out := make(map[string]runtimeapi.ProxyErrorSnapshots, len(caps))
	for name, c := range caps {
		out[name] = runtimeapi.ProxyErrorSnapshots{Request: snapshot(c.Request), Response: snapshot(c.Response)}
	}
	return out, events
}

func snapshot(c *proxy.ErrorCapture) *runtimeapi.ErrorSnapshot {
	if c == nil {
		return nil
	}
	return &runtimeapi.ErrorSnapshot{
		When: c.When, Event: c.Event, Src: c.Src, Other: c.Other, Server: c.Server, ServerID: c.ServerID,
		Buf: c.Buf, Pos: c.Pos, StateName: c.State.String(), State: int(c.State),
		ConnFlags: c.ConnFlags, StreamFlags: c.StreamFlags, MsgFlags: c.MsgFlags, ChunkLen: c.ChunkLen, BodyLen: c.BodyLen, BufHead: c.BufHead,
		BufSize: c.BufSize,
	}
}
