package haproxycfg

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

// fuzzMaps are the map files of TestMapFuzzDifferential: string keys for
// each match method, regexes (with groups for map_regm), integer and
// address keys, values of each output type.
var fuzzMaps = map[string]string{
	"s.map": "abc A\n/a/b PATH\nexample.com DOM\né ACC\na;b SEMI\n. DOT\nx X\nABC UP\n/a SLASHA\ncom TLD\n",
	"r.map": "^a.b$ R1\n[0-9]+ DIGITS\né ERE\n^(a)(.*)$ m<\\2\\1>\n^$ EMPTY\n",
	"i.map": "0 zero\n1:10 small\n-5 neg\n9223372036854775807 max\n100: big\n",
	"n.map": "abc 1\nx -7\n/a/b 99999999999999999999\n",
	"a.map": "10.0.0.0/8 ten\n::1 lo6\n1.2.3.4 one\n2001:db8::/32 doc\n255.0.255.0/255.0.255.0 nc\n",
	"v.map": "abc 10.1.2.3\nx ::1\n/a/b junk\n",
}

// TestMapFuzzDifferential: the map converters (each match method, the
// _int and _ip outputs, defaults) over random request values beside
// HAProxy 2.6, byte for byte. GOHA_SAMPLE_SEED replays a run.
func TestMapFuzzDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	seed := fuzzSeed(t, 1)
	r := rand.New(rand.NewPCG(seed, 0x3a9))
	dir := t.TempDir()
	for name, body := range fuzzMaps {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f := func(n string) string { return filepath.Join(dir, n) }
	var exprs []string
	// a file per match method: HAProxy 2.6's pattern cache answers one
	// method with another's result on a shared file (goha refuses that)
	copyMap := func(from, to string) string {
		os.WriteFile(f(to), []byte(fuzzMaps[from]), 0o644)
		return f(to)
	}
	for _, m := range []string{"map", "map_str", "map_beg", "map_sub", "map_dir", "map_dom", "map_end"} {
		sm := copyMap("s.map", m+".s.map")
		if m == "map_dom" {
			// a key made of delimiters only (".") has HAProxy's match_word
			// compare the byte after the sample (outside it): left out
			os.WriteFile(sm, []byte(strings.Replace(fuzzMaps["s.map"], ". DOT\n", "", 1)), 0o644)
		}
		for _, in := range []string{"req.hdr(x)", "path", "urlp(a),url_dec"} {
			exprs = append(exprs, in+","+m+"("+sm+")", in+","+m+"("+sm+",DEF)")
		}
		if m != "map" { // map_int and map_ip are the integer and address keys
			exprs = append(exprs, "req.hdr(x),"+m+"_int("+copyMap("n.map", m+".n.map")+")", "req.hdr(x),"+m+"_ip("+copyMap("v.map", m+".v.map")+")")
		}
	}
	for _, in := range []string{"req.hdr(x)", "path", "urlp(a),url_dec"} {
		exprs = append(exprs, in+",map_reg("+f("r.map")+")", in+",map_regm("+f("r.map")+",none)")
	}
	exprs = append(exprs,
		"req.hdr(n),map_int("+f("i.map")+")", "req.hdr(n),map_int("+f("i.map")+",D)", "req.hdr(x),map_int("+f("i.map")+")",
		"req.hdr(ip),map_ip("+f("a.map")+")", "req.hdr(ip),map_ip("+f("a.map")+",D)", "req.hdr(x),map_ip("+f("a.map")+")",
		"req.hdr(n),map_int_int("+f("n.map")+",3)", "req.hdr(x),map_str_int("+f("n.map")+","+pick(r, "0", "-1", "5")+")",
		"req.hdr(x),lower,map_str("+f("s.map")+")", "req.hdr(x),map_beg("+f("s.map")+"),lower",
	)
	head := httpHead + "frontend fe\n    bind BIND\n"
	exprs = fuzzAccepted(t, seed, head, exprs, false)
	cfg, _ := fuzzConfig(head, exprs, 24, false)
	ha, goha := startBoth(t, cfg)
	var reqs []string
	for i := 0; i < 300; i++ {
		raw := fuzzConvRequest(r)
		if r.IntN(2) == 0 { // values near the keys
			raw = strings.Replace(raw, "\r\nHost: h\r\n", "\r\nHost: h\r\nx: "+pick(r, "abc", "ABC", "/a/b/c", "/a/bc", "www.example.com", "example.com.x",
				"é", "a;b", "x", "xx", "a.b", "aab", "a-b", "123", "com", "dot.", "")+"\r\n", 1)
		}
		reqs = append(reqs, raw)
	}
	n := fuzzRun(t, seed, ha, goha, exprs, 24, reqs)
	t.Logf("seed %d: %d expressions x %d requests (%d answers)", seed, len(exprs), len(reqs), n)
}
