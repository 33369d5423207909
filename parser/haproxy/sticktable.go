package haproxy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// StickTable is a typed `stick-table` line of a proxy, or the arguments of
// a `table` line of a peers section (same grammar without `peers`).
type StickTable struct {
	Pos     Pos
	Type    string // ip, ipv6, integer, string, binary
	KeyLen  int    // `len` of a string or binary key (0: not given)
	Size    int64
	Expire  time.Duration // 0: entries do not expire
	NoPurge bool
	Peers   string // `peers <section>`
	SrvKey  string // `srvkey name|addr` ("" not given)
	Stores  []StickStore
}

// StickStore is one `store` item: a data type, the period of a rate, the
// element count of an array (gpt, gpc, gpc_rate; 0 for others).
type StickStore struct {
	Name   string
	Period time.Duration
	Count  int
	// periodText is the period as written (the parser warns on text
	// after it, as HAProxy does).
	periodText string
}

// stickDataTypes are HAProxy 2.6's stored data types and the arguments
// each takes: a period (rates), an element count (arrays), or both.
var stickDataTypes = map[string]struct{ period, array bool }{
	"server_id": {}, "gpt0": {}, "gpc0": {}, "gpc0_rate": {period: true},
	"conn_cnt": {}, "conn_rate": {period: true}, "conn_cur": {},
	"sess_cnt": {}, "sess_rate": {period: true},
	"http_req_cnt": {}, "http_req_rate": {period: true},
	"http_err_cnt": {}, "http_err_rate": {period: true},
	"bytes_in_cnt": {}, "bytes_in_rate": {period: true},
	"bytes_out_cnt": {}, "bytes_out_rate": {period: true},
	"gpc1": {}, "gpc1_rate": {period: true}, "server_key": {},
	"http_fail_cnt": {}, "http_fail_rate": {period: true},
	"gpt": {array: true}, "gpc": {array: true}, "gpc_rate": {array: true, period: true},
}

// StickTableMsg is a message of ParseStickTable in HAProxy's words; Raw
// messages take the "parsing [f:l]: " form (no blank before the colon).
type StickTableMsg struct {
	Text    string
	Raw     bool
	Warning bool
}

// ParseStickTable reads the arguments of a stick-table (args after the
// keyword kw; for a peers section's `table <name>`, the words after the
// name with inPeers set, where `peers` is not an argument) as HAProxy
// 2.6's parse_stick_table does. The first non-warning message is fatal.
func ParseStickTable(kw string, args []string, inPeers bool) (StickTable, []StickTableMsg) {
	var t StickTable
	var msgs []StickTableMsg
	fail := func(raw bool, f string, a ...any) (StickTable, []StickTableMsg) {
		return t, append(msgs, StickTableMsg{Text: kw + ": " + fmt.Sprintf(f, a...), Raw: raw})
	}
	have := map[string]bool{}
	for i := 0; i < len(args); {
		word := args[i]
		next := func() (string, bool) {
			if i+1 >= len(args) || args[i+1] == "" {
				return "", false
			}
			i += 2
			return args[i-1], true
		}
		switch {
		case word == "size":
			v, ok := next()
			if !ok {
				return fail(false, "missing argument after '%s'.", word)
			}
			n, err := ParseSize(v)
			if err != nil || n > 0xffffffff {
				c := v[len(v)-1]
				if j := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' }); j >= 0 {
					c = v[j]
				}
				return fail(false, "unexpected character '%c' in argument of '%s'.", c, word)
			}
			t.Size = n
		case word == "peers" && !inPeers:
			v, ok := next()
			if !ok {
				return fail(false, "missing argument after '%s'.", word)
			}
			t.Peers = v
		case word == "expire":
			v, ok := next()
			if !ok {
				return fail(false, "missing argument after '%s'.", word)
			}
			d, _, err := ParseTime(v)
			switch {
			case err == errTimeOverflow:
				return fail(true, "timer overflow in argument <%s> to <%s>, maximum value is 2147483647 ms (~24.8 days).", v, word)
			case err != nil:
				return fail(false, "%s in argument of '%s'.", err, word)
			}
			t.Expire = d.Truncate(time.Millisecond)
		case word == "nopurge":
			t.NoPurge = true
			i++
		case word == "type":
			i++
			typ := ""
			if i < len(args) {
				typ = args[i]
			}
			if !contains(stickTableTypes, typ) {
				return fail(false, "unknown type '%s'.", typ)
			}
			t.Type, t.KeyLen = typ, 0
			i++
			if (typ == "string" || typ == "binary") && i < len(args) && args[i] == "len" {
				i++
				v := ""
				if i < len(args) {
					v = args[i]
				}
				n, _, _ := leadingInt(v)
				if n <= 0 {
					return fail(false, "unknown type '%s'.", v)
				}
				t.KeyLen = n
				i++
			}
		case word == "store":
			i++
			list := ""
			if i < len(args) {
				list = args[i]
			}
			i++
			for list != "" {
				item, rest, err := cutStoreItem(list)
				if err != "" {
					return fail(false, "missing closing parenthesis after store option '%s'.", err)
				}
				list = rest
				st, msg := parseStore(item, have)
				switch {
				case msg == "exist":
					msgs = append(msgs, StickTableMsg{Text: fmt.Sprintf("%s: store option '%s' already enabled, ignored.", kw, st.Name), Raw: true, Warning: true})
					continue
				case msg != "":
					return fail(false, "%s", msg)
				}
				have[st.Name] = true
				t.Stores = append(t.Stores, st)
			}
			switch {
			case have["gpt"] && have["gpt0"]:
				return fail(false, "simultaneous usage of 'gpt' and 'gpt0' in a same table is not permitted as 'gpt' overrides 'gpt0'.")
			case have["gpc"] && (have["gpc0"] || have["gpc1"]):
				return fail(false, "simultaneous usage of 'gpc' and 'gpc[0/1]' in a same table is not permitted as 'gpc' overrides 'gpc[0/1]'.")
			case have["gpc_rate"] && (have["gpc0_rate"] || have["gpc1_rate"]):
				return fail(false, "simultaneous usage of 'gpc_rate' and 'gpc[0/1]_rate' in a same table is not permitted as 'gpc_rate' overrides 'gpc[0/1]_rate'.")
			}
		case word == "srvkey":
			v := ""
			if i+1 < len(args) {
				v = args[i+1]
			}
			if v != "name" && v != "addr" {
				return t, append(msgs, StickTableMsg{Text: fmt.Sprintf("%s : unknown server key type '%s'.", kw, v)})
			}
			t.SrvKey = v
			i += 2
		default:
			return fail(false, "unknown argument '%s'.", word)
		}
	}
	if t.Size == 0 {
		return fail(false, "missing size.")
	}
	if t.Type == "" {
		return fail(false, "missing type.")
	}
	return t, msgs
}

// cutStoreItem splits the first item of a store list ("http_req_rate(10s)"
// of "http_req_rate(10s),gpc0"); a '(' without ')' gives the item's name
// as err.
func cutStoreItem(list string) (item, rest, err string) {
	for j := 0; j < len(list); j++ {
		switch list[j] {
		case '(':
			k := strings.IndexByte(list[j:], ')')
			if k < 0 {
				return "", "", list[:j]
			}
			j += k
		case ',':
			return list[:j], list[j+1:], ""
		}
	}
	return list, "", ""
}

// parseStore reads one store item as stktable_alloc_data_type does; msg
// "exist" is the already-stored warning.
func parseStore(item string, have map[string]bool) (StickStore, string) {
	name, arg, hasArg := strings.Cut(item, "(")
	arg = strings.TrimSuffix(arg, ")")
	if name == "server_name" {
		name = "server_key"
	}
	st := StickStore{Name: name, periodText: ""}
	dt, ok := stickDataTypes[name]
	if !ok {
		return st, fmt.Sprintf("unknown store option '%s'.", name)
	}
	if have[name] {
		return st, "exist"
	}
	first, second, hasSecond := strings.Cut(arg, ",")
	if dt.array {
		if !hasArg {
			return st, fmt.Sprintf("missing argument to store option '%s'.", name)
		}
		n, _, _ := leadingInt(first)
		if n <= 0 || n > 100 {
			return st, fmt.Sprintf("array size is out of allowed range (1-100) for store option '%s'.", name)
		}
		st.Count = n
		first, hasArg = second, hasSecond
	}
	if !dt.period {
		if hasArg {
			return st, fmt.Sprintf("unexpected argument to store option '%s'.", name)
		}
		return st, ""
	}
	if !hasArg {
		return st, fmt.Sprintf("missing argument to store option '%s'.", name)
	}
	d, _, err := ParseTime(first)
	if err != nil {
		return st, fmt.Sprintf("error when processing store option '%s'.", name)
	}
	st.Period, st.periodText = d.Truncate(time.Millisecond), first
	return st, ""
}

// String is the store item as written in a configuration.
func (st StickStore) String() string {
	switch {
	case st.Count > 0 && st.Period > 0:
		return st.Name + "(" + strconv.Itoa(st.Count) + "," + st.Period.String() + ")"
	case st.Count > 0:
		return st.Name + "(" + strconv.Itoa(st.Count) + ")"
	case st.Period > 0:
		return st.Name + "(" + st.Period.String() + ")"
	}
	return st.Name
}
