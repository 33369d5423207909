package haproxycfg

import (
	"strconv"
	"strings"

	"github.com/goha-lb/goha/proxy"
)

// statRow is a row of HAProxy's show stat: its value of each column.
type statRow map[string]string

// showStatRows splits show stat's CSV into its rows (those with a value
// for every column of the header).
func showStatRows(stat string) []statRow {
	lines := strings.Split(strings.TrimSpace(stat), "\n")
	cols := strings.Split(strings.TrimPrefix(lines[0], "# "), ",")
	var rows []statRow
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		if len(f) != len(cols) {
			continue
		}
		r := statRow{}
		for i, c := range cols {
			r[c] = f[i]
		}
		rows = append(rows, r)
	}
	return rows
}

// key names the row: "pxname/svname".
func (r statRow) key() string { return r["pxname"] + "/" + r["svname"] }

// ints is the row with each value read as an integer (0 where none).
func (r statRow) ints() map[string]int64 {
	out := map[string]int64{}
	for c, v := range r {
		out[c], _ = strconv.ParseInt(v, 10, 64)
	}
	return out
}

// allStatRows reads the counters of every row of show stat, by
// "pxname/svname".
func allStatRows(stat string) map[string]map[string]int64 {
	out := map[string]map[string]int64{}
	for _, r := range showStatRows(stat) {
		out[r.key()] = r.ints()
	}
	return out
}

// statCols is the statCounter of each show stat column cols of row
// ("pxname/svname"), with goha's count from s.
func statCols(row string, s proxy.Stats, cols ...string) []statCounter {
	out := make([]statCounter, 0, len(cols))
	for _, c := range cols {
		out = append(out, statCounter{row, c, statCol(s, c)})
	}
	return out
}

// statCol is goha's count for a show stat column.
func statCol(s proxy.Stats, col string) int64 {
	switch col {
	case "stot":
		return s.Sessions
	case "req_tot":
		return s.Requests
	case "dreq":
		return s.DeniedReq
	case "dresp":
		return s.DeniedResp
	case "ereq":
		return s.ReqErrors
	case "hrsp_2xx":
		return s.HRsp2xx
	case "hrsp_3xx":
		return s.HRsp3xx
	case "hrsp_4xx":
		return s.HRsp4xx
	case "hrsp_5xx":
		return s.HRsp5xx
	case "hrsp_other":
		return s.HRspOther
	}
	panic("statCol: no column " + col)
}

// statsSince is goha's growth of the counters statCol reads, from then
// to now.
func statsSince(now, then proxy.Stats) proxy.Stats {
	return proxy.Stats{
		Sessions: now.Sessions - then.Sessions, Requests: now.Requests - then.Requests,
		DeniedReq: now.DeniedReq - then.DeniedReq, DeniedResp: now.DeniedResp - then.DeniedResp,
		ReqErrors: now.ReqErrors - then.ReqErrors, HRsp2xx: now.HRsp2xx - then.HRsp2xx,
		HRsp3xx: now.HRsp3xx - then.HRsp3xx, HRsp4xx: now.HRsp4xx - then.HRsp4xx,
		HRsp5xx: now.HRsp5xx - then.HRsp5xx, HRspOther: now.HRspOther - then.HRspOther,
	}
}
