package acl

import (
	"encoding/json"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
)

// TestJSONQuery: the pure walker and the typed results, on the cases
// TestConverterBreadthDifferential checked against HAProxy 2.6 and a few
// more of the walker's rules (depth, indexes, stop at the value).
func TestJSONQuery(t *testing.T) {
	for _, c := range []struct {
		doc, path string
		asInt     bool
		want      string // "" with ok false: no sample
		ok        bool
	}{
		{`{"a":1}`, "$.a", false, "1", true},
		{`{"a":1.5}`, "$.a", true, "1", true},
		{`{"a":1e400}`, "$.a", false, "+Inf", true},
		{`{"a":0.00001}`, "$.a", false, "1e-05", true},
		{`{"a":2.5e3}`, "$.a", false, "2500", true},
		{`{"a":9007199254740992}`, "$.a", true, "", false},
		{`{"a":"x\u0041\/"}`, "$.a", false, "xA/", true},
		{`{"a":"\u2603"}`, "$.a", false, "", false},
		{`{"a":"\q"}`, "$.a", false, "", false},
		{`{"a":1,`, "$.a", false, "1", true},
		{`{"a":"x", "a":"y"}`, "$.a", false, "x", true},
		{`{"b":[0,{"c":true}]}`, "$.b[1].c", false, "1", true},
		{`{"b":[0,1]}`, "$.b[2]", false, "", false},
		{`{"b":null}`, "$.b", false, "", false},
		{`{"b":{}}`, "$.b", false, "", false},
		{`[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]`, "$[0]", false, "", false},
		{`{"a":1}`, "a", false, "", false},
		{`{"a":1}`, "$a", false, "", false},
		{`{"a":1}`, "$.a[", false, "", false},
	} {
		v := value{t: haproxy.SampleStr, s: c.doc}
		ok := jsonQuery(&v, c.path, c.asInt)
		got := ""
		if ok {
			switch v.t {
			case haproxy.SampleStr:
				got = v.s
			default:
				got = itoa(v.i)
			}
		}
		if ok != c.ok || got != c.want {
			t.Errorf("json_query(%s) on %s = %q %v, want %q %v", c.path, c.doc, got, ok, c.want, c.ok)
		}
	}
}

func itoa(i int64) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// TestHostPortLanguage: host_only/port_only and language, pure.
func TestHostPortLanguage(t *testing.T) {
	for _, c := range []struct {
		in, host string
		port     int64
	}{
		{"Example.COM:8080", "example.com", 8080}, {"[::1]:80", "[::1]", 80}, {"[::1]", "[::1]", 0},
		{"h:", "h", 0}, {":80", "", 80}, {"a:b:99999999999", "a:b", 1215752191}, {`{"a":1.5}`, `{"a"`, 927},
	} {
		v := value{s: c.in}
		hostOnly(&v)
		p := value{s: c.in}
		portOnly(&p)
		if v.s != c.host || p.i != c.port {
			t.Errorf("%q: host %q port %d, want %q %d", c.in, v.s, p.i, c.host, c.port)
		}
	}
	list := []string{"en", "fr", "de"}
	for in, want := range map[string]string{
		"en-US,fr;q=0.8, de;q=0.9": "en", "fr;q=0.5,de;q=0.6": "de", "xx,es": "", "de;q=0,fr;q=0.001": "", // HAProxy's q reader steps over the ',' after "0": fr is skipped

		"fr ; q = 0.2 , de;q=0.1": "fr", "de x, fr;q=0.1": "fr", "en;r=1": "en",
	} {
		if got := preferredLanguage(in, list); got != want {
			t.Errorf("language on %q = %q, want %q", in, got, want)
		}
	}
}

// FuzzJSONQuery: the walker never panics, and on a document Go's
// encoding/json accepts, a string it finds at "$.k" of an object is the
// one encoding/json reads when mjson's escapes allow it.
func FuzzJSONQuery(f *testing.F) {
	for _, s := range []string{`{"k":"v"}`, `{"k":1.5e3}`, `{"a":[1,{"k":"\u0041"}]}`, `{"k":"\n\"x"}`, `[[[`, `{"k":`, `"x"`} {
		f.Add(s, "$.k")
		f.Add(s, "$.a[1].k")
	}
	f.Fuzz(func(t *testing.T, doc, path string) {
		v := value{t: haproxy.SampleStr, s: doc}
		ok := jsonQuery(&v, path, false)
		w := value{t: haproxy.SampleBin, s: doc}
		jwtPayload := buildJWTQueryMust(t, path)
		jwtPayload(&w)
		if path != "$.k" || !ok || v.t != haproxy.SampleStr {
			return
		}
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(doc), &m) != nil {
			return
		}
		var want string
		if raw, has := m["k"]; has && json.Unmarshal(raw, &want) == nil && raw[0] == '"' {
			// Go keeps the last duplicate key, mjson the first; \u
			// beyond 00XX is refused by mjson.
			if _, dup := dupKey(doc); !dup && v.s != want && isASCII(want) {
				t.Fatalf("%s: json_query gives %q, encoding/json %q", doc, v.s, want)
			}
		}
	})
}

func buildJWTQueryMust(t *testing.T, path string) convFunc {
	f, err := buildJWTQuery(1)(convArgs{n: 1, ints: make([]int64, 2), strs: []string{path, ""}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// dupKey says whether "k" appears as a key more than once (roughly).
func dupKey(doc string) (int, bool) {
	n := 0
	for i := 0; i+4 <= len(doc); i++ {
		if doc[i:i+4] == `"k":` {
			n++
		}
	}
	return n, n != 1
}
