package haproxycfg

import (
	"strconv"
	"strings"
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
