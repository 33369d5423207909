package acl

import (
	"fmt"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/stick"
)

// The stick-table fetches (sc_*, sc0_* .. sc2_*, src_*) and converters
// (table_*, in_table) of HAProxy 2.6. An sc form reads the entry its
// sticky counter tracks for the request (no sample when it tracks none);
// a src form looks the client's address up in the table (the proxy's
// own, or the one named) and reads 0 when it is not there; a type the
// table does not store gives no sample. inc_* and clr_* update the entry
// and date it, src_inc_* and src_clr_* creating it as HAProxy does.

// StickKey evaluates e to a key of the table c: the sample is cast to
// the table's type as HAProxy's smp_to_stkey does; false when there is
// no sample or it cannot be cast.
func (e *Expr) StickKey(r *proxy.RequestInfo, c *stick.Config) ([]byte, bool) {
	f := push(r)
	f.r, f.steps, f.cfg, f.key = r, e.steps, c, nil
	e.fetch(r, f.keyYield) // frames_stick.go
	key := f.key
	f.cfg, f.key = nil, nil
	pop(r, f)
	return key, key != nil
}

// stickSampleType is the sample type of a table's keys.
var stickSampleType = [...]haproxy.SampleType{
	stick.KeyIP: haproxy.SampleIPv4, stick.KeyIPv6: haproxy.SampleIPv6, stick.KeyInteger: haproxy.SampleSInt,
	stick.KeyString: haproxy.SampleStr, stick.KeyBinary: haproxy.SampleBin,
}

// StickKeyCast says whether a sample of type t can be a key of a table
// of type k (HAProxy's stktable_compatible_sample).
func StickKeyCast(t haproxy.SampleType, k stick.KeyType) bool {
	return castOf(t, stickSampleType[k]) != nil
}

// valueKey is v's key in a table of c's type, nil when v cannot be one. A
// sample already of the key's type skips the cast: the cast's indirect
// call moves its operand to the heap, which cost every tracked request an
// allocation (track-sc0 src).
func valueKey(v value, c *stick.Config) []byte {
	if to := stickSampleType[c.Key]; v.t != to || !sameTypeNone(to) {
		return castKey(v, c)
	}
	return keyOf(v, c)
}

func castKey(v value, c *stick.Config) []byte {
	if !v.cast(stickSampleType[c.Key]) {
		return nil
	}
	return keyOf(v, c)
}

func keyOf(v value, c *stick.Config) []byte {
	var k []byte
	var err error
	switch c.Key {
	case stick.KeyIP, stick.KeyIPv6:
		k, err = c.KeyFromAddr(v.a)
	case stick.KeyInteger:
		k, err = c.KeyFromInt(v.i)
	default:
		k, err = c.KeyFromBytes([]byte(v.s))
	}
	if err != nil {
		return nil
	}
	return k
}

// scData is what a stick fetch or converter reads: a data type (with
// HAProxy 2.6's fallback of gpc0/gpc1/gpt0 and their rates on the
// arrays), shifted right by shift (kbytes_*), or an action.
type scData struct {
	d     stick.DataType
	shift uint
	op    scOp
}

type scOp uint8

const (
	opRead scOp = iota
	opInc
	opClr
	opTrackers
	opTracked
	opExpire // table_expire
	opIdle   // table_idle
	opUpdt   // src_updt_conn_cnt: count one more, return the new count
)

// scNames are the fetch suffixes (sc_<name>, src_<name>); indexed ones
// take a gpc/gpt index first.
var scNames = map[string]scData{
	"bytes_in_rate": {d: stick.BytesInRate}, "bytes_out_rate": {d: stick.BytesOutRate},
	"conn_cnt": {d: stick.ConnCnt}, "conn_cur": {d: stick.ConnCur}, "conn_rate": {d: stick.ConnRate},
	"sess_cnt": {d: stick.SessCnt}, "sess_rate": {d: stick.SessRate},
	"http_req_cnt": {d: stick.HTTPReqCnt}, "http_req_rate": {d: stick.HTTPReqRate},
	"http_err_cnt": {d: stick.HTTPErrCnt}, "http_err_rate": {d: stick.HTTPErrRate},
	"http_fail_cnt": {d: stick.HTTPFailCnt}, "http_fail_rate": {d: stick.HTTPFailRate},
	"kbytes_in": {d: stick.BytesInCnt, shift: 10}, "kbytes_out": {d: stick.BytesOutCnt, shift: 10},
	"get_gpc0": {d: stick.GPC0}, "get_gpc1": {d: stick.GPC1}, "get_gpt0": {d: stick.GPT0},
	"gpc0_rate": {d: stick.GPC0Rate}, "gpc1_rate": {d: stick.GPC1Rate},
	"inc_gpc0": {d: stick.GPC0, op: opInc}, "inc_gpc1": {d: stick.GPC1, op: opInc},
	"clr_gpc0": {d: stick.GPC0, op: opClr}, "clr_gpc1": {d: stick.GPC1, op: opClr},
	"get_gpc": {d: stick.GPC}, "get_gpt": {d: stick.GPT}, "gpc_rate": {d: stick.GPCRate},
	"inc_gpc": {d: stick.GPC, op: opInc}, "clr_gpc": {d: stick.GPC, op: opClr},
	"trackers": {op: opTrackers}, "tracked": {op: opTracked},
	"updt_conn_cnt": {d: stick.ConnCnt, op: opUpdt},
}

// tableConvNames are the table_* converters' suffixes.
var tableConvNames = map[string]scData{
	"bytes_in_rate": {d: stick.BytesInRate}, "bytes_out_rate": {d: stick.BytesOutRate},
	"conn_cnt": {d: stick.ConnCnt}, "conn_cur": {d: stick.ConnCur}, "conn_rate": {d: stick.ConnRate},
	"sess_cnt": {d: stick.SessCnt}, "sess_rate": {d: stick.SessRate},
	"http_req_cnt": {d: stick.HTTPReqCnt}, "http_req_rate": {d: stick.HTTPReqRate},
	"http_err_cnt": {d: stick.HTTPErrCnt}, "http_err_rate": {d: stick.HTTPErrRate},
	"http_fail_cnt": {d: stick.HTTPFailCnt}, "http_fail_rate": {d: stick.HTTPFailRate},
	"kbytes_in": {d: stick.BytesInCnt, shift: 10}, "kbytes_out": {d: stick.BytesOutCnt, shift: 10},
	"gpc0": {d: stick.GPC0}, "gpc1": {d: stick.GPC1}, "gpt0": {d: stick.GPT0},
	"gpc0_rate": {d: stick.GPC0Rate}, "gpc1_rate": {d: stick.GPC1Rate},
	"gpc": {d: stick.GPC}, "gpt": {d: stick.GPT}, "gpc_rate": {d: stick.GPCRate},
	"server_id": {d: stick.ServerID}, "trackers": {op: opTrackers},
	"expire": {op: opExpire}, "idle": {op: opIdle},
}

func indexed(d stick.DataType) bool { return d == stick.GPC || d == stick.GPT || d == stick.GPCRate }

// resolve maps a type and index to what the table stores: gpc0 may be
// element 0 of gpc, and so on.
func resolve(t *stick.Table, d stick.DataType, idx int) (stick.DataType, int, bool) {
	if _, ok := t.Stores(d); ok {
		return d, idx, true
	}
	switch d {
	case stick.GPC0, stick.GPC1:
		d, idx = stick.GPC, int(d-stick.GPC0)/int(stick.GPC1-stick.GPC0)
	case stick.GPC0Rate, stick.GPC1Rate:
		d, idx = stick.GPCRate, int(d-stick.GPC0Rate)/int(stick.GPC1Rate-stick.GPC0Rate)
	case stick.GPT0:
		d, idx = stick.GPT, 0
	default:
		return d, idx, false
	}
	n, ok := t.Stores(d)
	return d, idx, ok && idx < n
}

// readRef reads what sd says on entry ref; false is "no sample".
func readRef(ref stick.Ref, sd scData, idx int, now uint32) (int64, bool) {
	t := ref.Table()
	switch sd.op {
	case opTrackers:
		return int64(ref.Holders()), true
	case opExpire:
		return int64(ref.ExpireIn(now)), true
	}
	d, i, ok := resolve(t, sd.d, idx)
	switch sd.op {
	case opInc:
		rate := stick.GPCRate
		switch sd.d {
		case stick.GPC0:
			rate = stick.GPC0Rate
		case stick.GPC1:
			rate = stick.GPC1Rate
		}
		rd, ri, rok := resolve(t, rate, idx)
		if !ok && !rok {
			return 0, false
		}
		if rok {
			ref.Add(rd, ri, 1, now)
		}
		var v uint64
		if ok {
			ref.Add(d, i, 1, now)
			v, _ = ref.Value(d, i, now)
		}
		ref.Touch(now)
		return int64(v), true
	case opClr:
		if !ok {
			return 0, false
		}
		v, _ := ref.Value(d, i, now)
		ref.Set(d, i, 0, now)
		ref.Touch(now)
		return int64(v), true
	case opUpdt:
		if !ok {
			return 0, false // the entry stays created, as in HAProxy
		}
		ref.Add(d, i, 1, now)
		v, _ := ref.Value(d, i, now)
		ref.Touch(now)
		return int64(v), true
	}
	if !ok {
		return 0, false
	}
	v, _ := ref.Value(d, i, now)
	return int64(v >> sd.shift), true
}

// stickFetchDef builds the row of a stick fetch named name, or false.
func stickFetchDef(name string) (fetchDef, bool) {
	var form string // "sc_", "0".."2", "src_"
	var rest string
	switch {
	case strings.HasPrefix(name, "sc_"):
		form, rest = "sc_", name[3:]
	case len(name) > 4 && name[:2] == "sc" && name[2] >= '0' && name[2] <= '2' && name[3] == '_':
		form, rest = name[2:3], name[4:]
	case strings.HasPrefix(name, "src_"):
		form, rest = "src_", name[4:]
	default:
		return fetchDef{}, false
	}
	sd, ok := scNames[rest]
	if !ok || (form == "src_" && sd.op == opTracked) || (form != "src_" && sd.op == opUpdt) {
		return fetchDef{}, false
	}
	// HAProxy 2.6.12 registers the indexed gpc/gpt fetches as sc_ and src_
	// forms, and of the numbered ones only sc1_clr_gpc (measured: sc0_get_gpc,
	// sc2_clr_gpc... are unknown fetch methods there), and no src_trackers.
	numbered := form != "sc_" && form != "src_"
	if (numbered && indexed(sd.d) && name != "sc1_clr_gpc") || (form == "src_" && sd.op == opTrackers) {
		return fetchDef{}, false
	}
	out := haproxy.SampleSInt
	if sd.op == opTracked {
		out = haproxy.SampleBool
	}
	build := func(args []haproxy.Arg) (fetchFunc, error) {
		a := 0
		idx, sc := 0, 0
		if indexed(sd.d) && sd.op != opTrackers && sd.op != opTracked {
			if len(args) <= a || args[a].Kind != haproxy.ArgSInt {
				return nil, fmt.Errorf("missing gpc/gpt index")
			}
			idx = int(args[a].Int)
			a++
		}
		switch form {
		case "sc_":
			if len(args) <= a || args[a].Kind != haproxy.ArgSInt {
				return nil, fmt.Errorf("missing sticky counter number")
			}
			sc = int(args[a].Int)
			a++
		case "src_":
			sc = -1
		default:
			sc = int(form[0] - '0')
		}
		if sc >= proxy.MaxStickCounters {
			return nil, fmt.Errorf("invalid stick counter %d", sc)
		}
		table := ""
		if len(args) > a {
			table = args[a].Str
			a++
		} else if form == "src_" && a == 1 {
			// src_get_gpc(<idx>,<table>) and the other indexed src_
			// fetches: HAProxy 2.6.12 requires the table.
			return nil, fmt.Errorf("missing arguments (got 1/2), type 'table' expected")
		}
		if len(args) > a {
			return nil, fmt.Errorf("too many arguments")
		}
		return func(r *proxy.RequestInfo, yield func(value) bool) bool {
			v, ok := stickFetch(r, sd, sc, idx, table)
			return ok && yield(v)
		}, nil
	}
	return fetchDef{out: out, layer4: true, build: build}, true
}

// stickFetch evaluates a stick fetch: sc < 0 is a src_ form.
func stickFetch(r *proxy.RequestInfo, sd scData, sc, idx int, table string) (value, bool) {
	now := proxy.StickNow()
	num := func(n int64, ok bool) (value, bool) { return value{t: haproxy.SampleSInt, i: n}, ok }
	if sc >= 0 {
		ref, ok := r.Tracked(sc)
		if sd.op == opTracked {
			return value{t: haproxy.SampleBool, i: b2i(ok)}, true
		}
		if !ok {
			return value{}, false
		}
		if table == "" {
			return num(readRef(ref, sd, idx, now))
		}
		t := r.StickTable(table)
		if t == nil {
			return value{}, false
		}
		other, found := t.Acquire(ref.Key(), false, now)
		if !found {
			return num(0, true)
		}
		defer other.Drop()
		n, ok := readRef(other, sd, idx, now)
		if sd.op == opTrackers {
			n--
		}
		return num(n, ok)
	}
	t := r.StickTable(table)
	if t == nil || !r.Src.IsValid() {
		return value{}, false
	}
	key := valueKey(value{t: haproxy.SampleIPv4, a: r.Src.Addr().Unmap()}, t.Config())
	if key == nil {
		return value{}, false
	}
	create := sd.op == opInc || sd.op == opClr || sd.op == opUpdt
	ref, found := t.Acquire(key, create, now)
	if !found && sd.op == opUpdt {
		return value{}, false // the table is full and keeps its entries (nopurge)
	}
	if !found {
		if _, _, stored := resolve(t, sd.d, idx); !stored && sd.op != opTrackers {
			return value{}, false
		}
		return num(0, true)
	}
	defer ref.Drop()
	n, ok := readRef(ref, sd, idx, now)
	if sd.op == opTrackers {
		n--
	}
	return num(n, ok)
}

// tableConvDef builds the row of a table_* converter or in_table.
func tableConvDef(name string) (convDef, bool) {
	if name == "in_table" {
		return convDef{in: haproxy.SampleAny, out: haproxy.SampleBool, args: []argKind{argStr}, min: 1,
			rbuild: tableConv(scData{}, true)}, true
	}
	rest, ok := strings.CutPrefix(name, "table_")
	sd, known := tableConvNames[rest]
	if !ok || !known {
		return convDef{}, false
	}
	args := []argKind{argStr}
	if indexed(sd.d) {
		args = []argKind{argSInt, argStr}
	}
	min := len(args)
	if sd.op == opExpire || sd.op == opIdle {
		args = []argKind{argStr, argSInt} // table[,default_value]
	}
	return convDef{in: haproxy.SampleAny, out: haproxy.SampleSInt, args: args, min: min, rbuild: tableConv(sd, false)}, true
}

func tableConv(sd scData, exists bool) func(a convArgs) (convFunc, reqConvFunc, error) {
	return func(a convArgs) (convFunc, reqConvFunc, error) {
		idx, name := 0, a.strs[0]
		if indexed(sd.d) {
			idx, name = int(a.ints[0]), a.strs[1]
		}
		return nil, func(r *proxy.RequestInfo, v *value) bool {
			t := r.StickTable(name)
			if t == nil {
				return false
			}
			key := valueKey(*v, t.Config())
			if key == nil {
				return false
			}
			now := proxy.StickNow()
			ref, found := t.Acquire(key, false, now)
			if exists {
				if found {
					ref.Drop()
				}
				*v = value{t: haproxy.SampleBool, i: b2i(found)}
				return true
			}
			timed := sd.op == opExpire || sd.op == opIdle
			if !found {
				if timed { // no sample, or the default value
					*v = value{t: haproxy.SampleSInt}
					if a.has(1) {
						v.i = a.ints[1]
					}
					return a.has(1)
				}
				*v = value{t: haproxy.SampleSInt}
				return true
			}
			defer ref.Drop()
			var n int64
			var ok bool
			switch sd.op {
			case opIdle:
				// HAProxy's tick_remain(tick_remain(now, expire), t->expire):
				// the time since the entry was last dated.
				left, life := int64(ref.ExpireIn(now)), int64(t.Config().Expire)
				n, ok = max(life-left, 0), true
			default:
				// table_trackers counts its own lookup too, as HAProxy's
				// ref_cnt does (TestStickCountersDifferential).
				n, ok = readRef(ref, sd, idx, now)
			}
			*v = value{t: haproxy.SampleSInt, i: n}
			return ok
		}, nil
	}
}

func init() {
	for _, form := range []string{"sc_", "sc0_", "sc1_", "sc2_", "src_"} {
		for rest := range scNames {
			if def, ok := stickFetchDef(form + rest); ok {
				fetches[form+rest] = def
			}
		}
	}
	fetches["table_cnt"] = tableFill(func(t *stick.Table) int { return t.Used() })
	fetches["table_avl"] = tableFill(func(t *stick.Table) int { return t.Config().Size - t.Used() })
	rows := map[string]convDef{}
	for rest := range tableConvNames {
		def, _ := tableConvDef("table_" + rest)
		rows["table_"+rest] = def
	}
	rows["in_table"], _ = tableConvDef("in_table")
	register(rows)
}

// Int evaluates e to an integer (the sample cast to sint); false when
// there is no sample or it cannot be cast.
func (e *Expr) Int(r *proxy.RequestInfo) (int64, bool) {
	f := push(r)
	f.r, f.steps, f.n, f.ok = r, e.steps, 0, false
	e.fetch(r, f.intYield) // frames_stick.go
	n, ok := f.n, f.ok
	pop(r, f)
	return n, ok
}

// Layer4 says whether a sample has a value as soon as a connection is
// accepted (its fetch is a layer-4 one), as tcp-request connection rules
// need.
func Layer4(s haproxy.Sample) bool {
	f, ok := fetches[s.Fetch.Name]
	return ok && f.layer4
}

// tableFill is table_cnt([<table>]) or table_avl([<table>]): n of the
// proxy's own table or of the one named (entries used, or free).
func tableFill(n func(*stick.Table) int) fetchDef {
	return fetchDef{out: haproxy.SampleSInt, layer4: true, build: func(args []haproxy.Arg) (fetchFunc, error) {
		if len(args) > 1 {
			return nil, fmt.Errorf("expects at most one table")
		}
		table := ""
		if len(args) == 1 {
			table = args[0].Str
		}
		return func(r *proxy.RequestInfo, yield func(value) bool) bool {
			t := r.StickTable(table)
			return t != nil && yield(value{t: haproxy.SampleSInt, i: int64(n(t))})
		}, nil
	}}
}
