package runtimeapi

import (
	"fmt"
	"strings"
	"time"
)

// cmdShowInfo prints `show info` with HAProxy 2.6's field names and order.
// Fields gohaproxy has no equivalent for (SSL, compression, pipes,
// peers, ...) print 0 as they do in an HAProxy that does not use them.
func cmdShowInfo(s *Session, _ []string) string {
	in := s.src.Info()
	return formatInfo(&in)
}

// FormatInfo renders `show info` for in: the one text the prometheus
// exporter reads its process metrics from too.
func FormatInfo(in Info) string { return formatInfo(&in) }

func formatInfo(in *Info) string {
	name := in.Name
	if name == "" {
		name = "HAProxy"
	}
	idle := in.IdlePct
	if idle == 0 {
		idle = 100
	}
	up := int64(in.Uptime / time.Second)
	start := int64(0)
	if !in.StartTime.IsZero() {
		start = in.StartTime.Unix()
	}
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	fields := []struct {
		k string
		v any
	}{
		{"Name", name},
		{"Version", in.Version},
		{"Release_date", in.ReleaseDate},
		{"Nbthread", in.Nbthread},
		{"Nbproc", 1},
		{"Process_num", 1},
		{"Pid", in.Pid},
		{"Uptime", fmt.Sprintf("%dd %dh%02dm%02ds", up/86400, up/3600%24, up/60%60, up%60)},
		{"Uptime_sec", up},
		{"Memmax_MB", 0},
		{"PoolAlloc_MB", in.PoolAlloc >> 20},
		{"PoolUsed_MB", in.PoolUsed >> 20},
		{"PoolFailed", 0},
		{"Ulimit-n", in.UlimitN},
		{"Maxsock", in.Maxsock},
		{"Maxconn", in.Maxconn},
		{"Hard_maxconn", in.HardMaxconn},
		{"CurrConns", in.CurrConns},
		{"CumConns", in.CumConns},
		{"CumReq", in.CumReq},
		{"MaxSslConns", 0},
		{"CurrSslConns", 0},
		{"CumSslConns", 0},
		{"Maxpipes", 0},
		{"PipesUsed", 0},
		{"PipesFree", 0},
		{"ConnRate", in.ConnRate},
		{"ConnRateLimit", 0},
		{"MaxConnRate", in.MaxConnRate},
		{"SessRate", in.SessRate},
		{"SessRateLimit", 0},
		{"MaxSessRate", in.MaxSessRate},
		{"SslRate", 0},
		{"SslRateLimit", 0},
		{"MaxSslRate", 0},
		{"SslFrontendKeyRate", 0},
		{"SslFrontendMaxKeyRate", 0},
		{"SslFrontendSessionReuse_pct", 0},
		{"SslBackendKeyRate", 0},
		{"SslBackendMaxKeyRate", 0},
		{"SslCacheLookups", 0},
		{"SslCacheMisses", 0},
		{"CompressBpsIn", 0},
		{"CompressBpsOut", 0},
		{"CompressBpsRateLim", 0},
		{"Tasks", in.Tasks},
		{"Run_queue", in.RunQueue},
		{"Idle_pct", idle},
		{"node", in.Node},
		{"Stopping", b2i(in.Stopping)},
		{"Jobs", in.Jobs},
		{"Unstoppable Jobs", 0},
		{"Listeners", in.Listeners},
		{"ActivePeers", 0},
		{"ConnectedPeers", 0},
		{"DroppedLogs", in.DroppedLogs},
		{"BusyPolling", 0},
		{"FailedResolutions", 0},
		{"TotalBytesOut", in.BytesOut},
		{"TotalSplicdedBytesOut", 0}, // sic: HAProxy 2.6's spelling
		{"BytesOutRate", in.BytesOutRate},
		{"DebugCommandsIssued", 0},
		{"CumRecvLogs", 0},
		{"Build info", in.Version},
		{"Memmax_bytes", 0},
		{"PoolAlloc_bytes", in.PoolAlloc},
		{"PoolUsed_bytes", in.PoolUsed},
		{"Start_time_sec", start},
		{"Tainted", 0},
	}
	var b strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&b, "%s: %v\n", f.k, f.v)
	}
	return b.String()
}
