package runtimeapi

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// cmdShowInfo prints `show info` with HAProxy 2.6's field names and order.
// Fields gohaproxy has no equivalent for (SSL, compression, pipes,
// peers, ...) print 0 as they do in an HAProxy that does not use them.
// infoFormat is the output form chosen by `show info`/`show stat`
// arguments; the last of typed/json given wins, as in HAProxy.
type infoFormat int

const (
	formatText infoFormat = iota
	formatTyped
	formatJSON
)

// cmdShowInfo prints `show info` with HAProxy 2.6's field names and order,
// as text, `typed` or `json`; `float` prints Uptime_sec with microseconds.
// Fields gohaproxy has no equivalent for (SSL session cache,
// compression, pipes, peers, ...) print 0 as they do in an HAProxy that
// does not use them. `desc` (HAProxy's per-field descriptions) is not carried by goha and is
// refused rather than answered without them; other words are ignored,
// as HAProxy ignores them.
func cmdShowInfo(s *Session, args []string) string {
	format, float := formatText, false
	for _, a := range args[2:] {
		switch a {
		case "typed":
			format = formatTyped
		case "json":
			format = formatJSON
		case "float":
			float = true
		case "desc":
			return errDesc
		}
	}
	in := s.src.Info()
	fields := infoFields(&in, float)
	switch format {
	case formatTyped:
		var b strings.Builder
		for _, f := range fields {
			fmt.Fprintf(&b, "%d.%s.1:%s:%s\n", f.pos, f.name, f.tags, f.value)
		}
		return b.String()
	case formatJSON:
		var b strings.Builder
		b.WriteByte('[')
		for i, f := range fields {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"field":{"pos":%d,"name":%s},"processNum":1,`, f.pos, jsonString(f.name))
			writeJSONTagsValue(&b, f.tags, f.value)
			b.WriteByte('}')
		}
		b.WriteString("]\n")
		return b.String()
	}
	return formatFields(fields)
}

// errDesc answers the `desc` option, which needs HAProxy's description
// texts that goha does not carry.
const errDesc = "The 'desc' option is not supported by goha.\n"

// FormatInfo renders `show info` for in: the one text the prometheus
// exporter reads its process metrics from too.
func FormatInfo(in Info) string { return formatFields(infoFields(&in, false)) }

func formatFields(fields []infoField) string {
	var b strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&b, "%s: %s\n", f.name, f.value)
	}
	return b.String()
}

// infoField is one `show info` line: HAProxy's field position (fields
// HAProxy leaves empty, such as description or the zlib figures of a
// build without zlib, are skipped and keep their numbers), its typed tags
// "OriginNatureScope:type" and its value.
type infoField struct {
	pos   int
	name  string
	tags  string
	value string
}

func infoFields(in *Info, float bool) []infoField {
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
		{"MaxSslConns", in.TLS.MaxConns},
		{"CurrSslConns", in.TLS.CurrConns},
		{"CumSslConns", in.TLS.CumConns},
		{"Maxpipes", 0},
		{"PipesUsed", 0},
		{"PipesFree", 0},
		{"ConnRate", in.ConnRate},
		{"ConnRateLimit", in.ConnRateLimit},
		{"MaxConnRate", in.MaxConnRate},
		{"SessRate", in.SessRate},
		{"SessRateLimit", in.SessRateLimit},
		{"MaxSessRate", in.MaxSessRate},
		{"SslRate", in.TLS.Rate},
		{"SslRateLimit", in.TLS.RateLimit},
		{"MaxSslRate", in.TLS.MaxRate},
		{"SslFrontendKeyRate", in.TLS.FrontendKeyRate},
		{"SslFrontendMaxKeyRate", in.TLS.FrontendMaxKeyRate},
		{"SslFrontendSessionReuse_pct", in.TLS.FrontendSessionReusePct},
		{"SslBackendKeyRate", in.TLS.BackendKeyRate},
		{"SslBackendMaxKeyRate", in.TLS.BackendMaxKeyRate},
		{"SslCacheLookups", 0},
		{"SslCacheMisses", 0},
		{"CompressBpsIn", in.CompressBpsIn},
		{"CompressBpsOut", in.CompressBpsOut},
		{"CompressBpsRateLim", in.CompressBpsRateLim},
		{"Tasks", in.Tasks},
		{"Run_queue", in.RunQueue},
		{"Idle_pct", idle},
		{"node", in.Node},
		{"Stopping", b2i(in.Stopping)},
		{"Jobs", in.Jobs},
		{"Unstoppable Jobs", 0},
		{"Listeners", in.Listeners},
		{"ActivePeers", in.ActivePeers},
		{"ConnectedPeers", in.ConnectedPeers},
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
	out := make([]infoField, 0, len(fields))
	for _, f := range fields {
		t := infoTags[f.k]
		out = append(out, infoField{pos: t.pos, name: f.k, tags: t.tags, value: fmt.Sprint(f.v)})
	}
	if float {
		for i := range out {
			f := &out[i]
			if tags, ok := floatTags[f.name]; ok {
				f.tags = tags
			}
			switch {
			case f.name == "Uptime_sec":
				f.value = formatFloat(in.Uptime.Seconds())
			case f.name == "Start_time_sec" && !in.StartTime.IsZero():
				f.value = formatFloat(float64(in.StartTime.UnixMicro()) / 1e6)
			}
		}
	}
	return out
}

// floatTags are the fields `show info float` prints as floats, with the
// tags HAProxy 2.6.12 gives them then (two rates change nature too).
var floatTags = map[string]string{
	"Uptime_sec": "MDP:flt", "ConnRate": "MRP:flt", "SessRate": "MRP:flt", "SslRate": "MRP:flt",
	"SslFrontendKeyRate": "MRP:flt", "SslFrontendSessionReuse_pct": "MRP:flt", "SslBackendKeyRate": "MRP:flt",
	"CompressBpsIn": "MRP:flt", "CompressBpsOut": "MRP:flt", "Start_time_sec": "MDP:flt",
}

// formatFloat prints v as HAProxy prints a float field: "%f" without its
// trailing zeros and dot (0 -> "0", 1.5 -> "1.5").
func formatFloat(v float64) string {
	s := strconv.FormatFloat(v, 'f', 6, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// infoTags are the positions and typed tags of the `show info` fields as
// HAProxy 2.6.12 prints them (`show info typed`).
var infoTags = map[string]struct {
	pos  int
	tags string
}{
	"Name":                        {0, "POS:str"},
	"Version":                     {1, "POS:str"},
	"Release_date":                {2, "POS:str"},
	"Nbthread":                    {3, "CGS:u32"},
	"Nbproc":                      {4, "CGS:u32"},
	"Process_num":                 {5, "KGP:u32"},
	"Pid":                         {6, "SGP:u32"},
	"Uptime":                      {7, "MDP:str"},
	"Uptime_sec":                  {8, "MDP:u32"},
	"Memmax_MB":                   {9, "CLP:u32"},
	"PoolAlloc_MB":                {10, "MGP:u32"},
	"PoolUsed_MB":                 {11, "MGP:u32"},
	"PoolFailed":                  {12, "MCP:u32"},
	"Ulimit-n":                    {13, "CLP:u32"},
	"Maxsock":                     {14, "CLP:u32"},
	"Maxconn":                     {15, "CLP:u32"},
	"Hard_maxconn":                {16, "CLP:u32"},
	"CurrConns":                   {17, "MGP:u32"},
	"CumConns":                    {18, "MCP:u32"},
	"CumReq":                      {19, "MCP:u32"},
	"MaxSslConns":                 {20, "MMP:u32"},
	"CurrSslConns":                {21, "MGP:u32"},
	"CumSslConns":                 {22, "MCP:u32"},
	"Maxpipes":                    {23, "CLP:u32"},
	"PipesUsed":                   {24, "MGP:u32"},
	"PipesFree":                   {25, "MGP:u32"},
	"ConnRate":                    {26, "MRP:u32"},
	"ConnRateLimit":               {27, "CLP:u32"},
	"MaxConnRate":                 {28, "MMP:u32"},
	"SessRate":                    {29, "MRP:u32"},
	"SessRateLimit":               {30, "CLP:u32"},
	"MaxSessRate":                 {31, "MRP:u32"},
	"SslRate":                     {32, "MRP:u32"},
	"SslRateLimit":                {33, "CLP:u32"},
	"MaxSslRate":                  {34, "MMP:u32"},
	"SslFrontendKeyRate":          {35, "MGP:u32"},
	"SslFrontendMaxKeyRate":       {36, "MMP:u32"},
	"SslFrontendSessionReuse_pct": {37, "MGP:u32"},
	"SslBackendKeyRate":           {38, "MRP:u32"},
	"SslBackendMaxKeyRate":        {39, "MMP:u32"},
	"SslCacheLookups":             {40, "MCP:u32"},
	"SslCacheMisses":              {41, "MCP:u32"},
	"CompressBpsIn":               {42, "MRP:u32"},
	"CompressBpsOut":              {43, "MRP:u32"},
	"CompressBpsRateLim":          {44, "CLP:u32"},
	"Tasks":                       {47, "MGP:u32"},
	"Run_queue":                   {48, "MGP:u32"},
	"Idle_pct":                    {49, "MaP:u32"},
	"node":                        {50, "COS:str"},
	"Stopping":                    {52, "MGP:u32"},
	"Jobs":                        {53, "MGP:u32"},
	"Unstoppable Jobs":            {54, "MGP:u32"},
	"Listeners":                   {55, "MGP:u32"},
	"ActivePeers":                 {56, "MGP:u32"},
	"ConnectedPeers":              {57, "MGP:u32"},
	"DroppedLogs":                 {58, "MGP:u32"},
	"BusyPolling":                 {59, "MGP:u32"},
	"FailedResolutions":           {60, "MGP:u32"},
	"TotalBytesOut":               {61, "MGP:u64"},
	"TotalSplicdedBytesOut":       {62, "MGP:u64"},
	"BytesOutRate":                {63, "MRP:u64"},
	"DebugCommandsIssued":         {64, "MGP:u32"},
	"CumRecvLogs":                 {65, "MCP:u32"},
	"Build info":                  {66, "POS:str"},
	"Memmax_bytes":                {67, "CLP:u32"},
	"PoolAlloc_bytes":             {68, "MGP:u64"},
	"PoolUsed_bytes":              {69, "MGP:u64"},
	"Start_time_sec":              {70, "MDP:u32"},
	"Tainted":                     {71, "SGP:str"},
}
