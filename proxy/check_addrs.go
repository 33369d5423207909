package proxy

// CheckAddrs are where a server's checks connect as its line sets them,
// which `show servers state` lists with or without checks: CheckAddr and
// CheckPort are `addr` and `port`; AgentAddr and AgentPort are
// `agent-addr` and `agent-port`, else `addr` and `port`, as HAProxy sets
// both ("" and 0: none).
type CheckAddrs struct {
	CheckAddr, AgentAddr string
	CheckPort, AgentPort int
}
