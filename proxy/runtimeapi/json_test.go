package runtimeapi

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestFormatFloat(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{{0, "0"}, {1.5, "1.5"}, {250.439612, "250.439612"}, {2.9628100, "2.96281"}, {10, "10"}} {
		if got := formatFloat(c.in); got != c.want {
			t.Errorf("formatFloat(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestWriteJSONTagsValue(t *testing.T) {
	for _, c := range []struct{ tags, value, want string }{
		{"KNS:str", "fe", `"tags":{"origin":"Key","nature":"Name","scope":"Service"},"value":{"type":"str","value":"fe"}}`},
		{"MaP:u32", "100", `"tags":{"origin":"Metric","nature":"Avg","scope":"Process"},"value":{"type":"u32","value":100}}`},
		{"MDP:s32", "-1", `"tags":{"origin":"Metric","nature":"Duration","scope":"Process"},"value":{"type":"s32","value":-1}}`},
		{"COs:str", `a"<b>`, `"tags":{"origin":"Config","nature":"Output","scope":"System"},"value":{"type":"str","value":"a\"<b>"}}`},
		{"XYZ:flt", "1.5", `"tags":{"origin":"Unknown","nature":"Unknown","scope":"Unknown"},"value":{"type":"flt","value":1.5}}`},
	} {
		var b strings.Builder
		writeJSONTagsValue(&b, c.tags, c.value)
		if got := b.String() + "}"; got != c.want {
			t.Errorf("%s %s:\n got %s\nwant %s", c.tags, c.value, got, c.want)
		}
	}
}

// The json and typed forms of one row carry the same fields at the same
// positions; the json one is valid JSON.
func TestStatJSONFollowsTyped(t *testing.T) {
	proxies := newFakeSource().Stats()
	typed := FormatStat(proxies, StatFilter{Typed: true})
	js := FormatStat(proxies, StatFilter{JSON: true, Typed: true})
	var rows [][]struct {
		ObjType string
		ProxyID int
		ID      int
		Field   struct {
			Pos  int
			Name string
		}
		Value struct {
			Type  string
			Value any
		}
	}
	if err := json.Unmarshal([]byte(js), &rows); err != nil {
		t.Fatalf("%v\n%s", err, js)
	}
	lines := strings.Split(strings.TrimSpace(typed), "\n")
	n := 0
	for _, r := range rows {
		for _, f := range r {
			if n >= len(lines) {
				t.Fatalf("json has more fields than typed (%d lines)", len(lines))
			}
			l := lines[n]
			n++
			kind := l[0]
			if objType(kind) != f.ObjType || !strings.Contains(l, "."+f.Field.Name+".1:") ||
				!strings.Contains(l, ":"+f.Value.Type+":") {
				t.Errorf("json field %+v does not match typed %q", f, l)
			}
		}
	}
	if n != len(lines) {
		t.Errorf("json has %d fields, typed %d", n, len(lines))
	}
	if got := FormatStat(nil, StatFilter{JSON: true}); got != "[]\n" {
		t.Errorf("no rows: %q", got)
	}
}

func TestShowInfoForms(t *testing.T) {
	in := Info{Version: "2.6.12", Uptime: 1500 * time.Millisecond, StartTime: time.Unix(1796532686, 666576000)}
	fields := infoFields(&in, false)
	if len(fields) != 69 || fields[48].name != "node" || fields[48].pos != 50 || fields[49].pos != 52 {
		t.Fatalf("positions: %d fields, %+v %+v", len(fields), fields[48], fields[49])
	}
	for _, f := range fields {
		if f.tags == "" {
			t.Errorf("%s has no tags", f.name)
		}
	}
	fl := infoFields(&in, true)
	want := map[string]string{"Uptime_sec": "MDP:flt 1.5", "Start_time_sec": "MDP:flt 1796532686.666576", "ConnRate": "MRP:flt 0", "SslFrontendKeyRate": "MRP:flt 0", "Uptime": "MDP:str 0d 0h00m01s"}
	for _, f := range fl {
		if w, ok := want[f.name]; ok && f.tags+" "+f.value != w {
			t.Errorf("float %s = %s %s, want %s", f.name, f.tags, f.value, w)
		}
	}
	s := NewSession(&fakeSource{}, LevelAdmin)
	for _, c := range []struct{ cmd, prefix string }{
		{"show info typed", "0.Name.1:POS:str:HAProxy\n1.Version.1:POS:str:"},
		{"show info json", `[{"field":{"pos":0,"name":"Name"},"processNum":1,"tags":{"origin":"Product","nature":"Output","scope":"Service"},"value":{"type":"str","value":"HAProxy"}},`},
		{"show info json typed", "0.Name.1:POS:str:HAProxy\n"},
		{"show info typed json", `[{"field":`},
		{"show info", "Name: HAProxy\n"},
		{"show info desc", errDesc},
		{"show stat json desc", errDesc},
		{"show stat desc", "# pxname,"},
		{"show stat typed json", "[]\n"},
		{"show schema json", `{"$schema":"http://json-schema.org/draft-04/schema#",`},
	} {
		out, _ := s.Exec(c.cmd)
		if !strings.HasPrefix(string(out), c.prefix) {
			t.Errorf("%s: %.120q", c.cmd, out)
		}
	}
}

func TestAtoi(t *testing.T) {
	for in, want := range map[string]int{"3": 3, "-1": -1, "+7": 7, "12x": 12, "up": 0, "": 0, "-": 0, "99999999999": 1 << 31} {
		if got := atoi(in); got != want {
			t.Errorf("atoi(%q) = %d, want %d", in, got, want)
		}
	}
}
