package haproxy

import (
	"reflect"
	"testing"
	"time"
)

// backendOf parses a backend section made of lines and returns it.
func backendOf(t *testing.T, lines string) *Proxy {
	t.Helper()
	res := checkString(t, "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nbackend b\n"+lines+"    server s1 127.0.0.1:80\n")
	if len(res.Config.Backends) != 1 {
		t.Fatalf("%q: no backend (%+v)", lines, res.Diags.List)
	}
	return res.Config.Backends[0]
}

func TestTypedBalance(t *testing.T) {
	for _, tc := range []struct {
		line string
		want Balance
	}{
		{"", Balance{}},
		{"balance leastconn", Balance{Algorithm: "leastconn", Args: []string{"leastconn"}}},
		{"balance uri len 10 depth 2 whole path-only", Balance{Algorithm: "uri",
			URI: URIHashParams{Len: 10, Depth: 2, Whole: true, PathOnly: true}, Args: []string{"uri", "len", "10", "depth", "2", "whole", "path-only"}}},
		{"balance url_param sid check_post", Balance{Algorithm: "url_param",
			URLParam: URLParamHashParams{Name: "sid", CheckPost: true}, Args: []string{"url_param", "sid", "check_post"}}},
		{"balance hdr(Host) use_domain_only", Balance{Algorithm: "hdr",
			Header: HeaderHashParams{Name: "Host", UseDomainOnly: true}, Args: []string{"hdr(Host)", "use_domain_only"}}},
		{"balance random", Balance{Algorithm: "random", Draws: DefaultRandomDraws, Args: []string{"random"}}},
		{"balance random(5)", Balance{Algorithm: "random", Draws: 5, Args: []string{"random(5)"}}},
		{"balance rdp-cookie", Balance{Algorithm: "rdp-cookie", RDPCookie: DefaultRDPCookie, Args: []string{"rdp-cookie"}}},
		{"balance rdp-cookie(user)", Balance{Algorithm: "rdp-cookie", RDPCookie: "user", Args: []string{"rdp-cookie(user)"}}},
		{"balance hash req.cookie(id)", Balance{Algorithm: "hash", Expr: "req.cookie(id)", Args: []string{"hash", "req.cookie(id)"}}},
	} {
		be := backendOf(t, "    "+tc.line+"\n")
		if !reflect.DeepEqual(be.Balance, tc.want) {
			t.Errorf("%q: %+v, want %+v", tc.line, be.Balance, tc.want)
		}
	}
}

func TestTypedHashType(t *testing.T) {
	for _, tc := range []struct {
		line string
		want HashType
	}{
		{"", HashType{}},
		{"hash-type map-based", HashType{Method: HashMapBased, Function: "sdbm"}},
		{"hash-type consistent", HashType{Method: HashConsistent, Function: "sdbm", Avalanche: true}},
		{"hash-type consistent djb2", HashType{Method: HashConsistent, Function: "djb2"}},
		{"hash-type map-based crc32 avalanche", HashType{Method: HashMapBased, Function: "crc32", Avalanche: true}},
		// goha reports these (proxy/haproxycfg) where HAProxy alerts
		{"hash-type consistent md5", HashType{Refused: "consistent md5"}},
		{"hash-type consistent wt6 shuffle", HashType{Refused: "consistent wt6 shuffle"}},
		{"hash-type consistent Sdbm", HashType{Refused: "consistent Sdbm"}}, // case-sensitive in 2.6
		{"hash-type consistent none", HashType{Refused: "consistent none"}}, // not in 2.6
	} {
		be := backendOf(t, "    "+tc.line+"\n")
		if be.HashType != tc.want {
			t.Errorf("%q: %+v, want %+v", tc.line, be.HashType, tc.want)
		}
	}
}

func TestTypedTimeouts(t *testing.T) {
	be := backendOf(t, "    timeout http-request 7s\n    timeout queue 2m\n    timeout tarpit 3\n    timeout check 0\n")
	want := Timeouts{Connect: time.Second, Client: time.Second, Server: time.Second, // inherited
		HTTPRequest: 7 * time.Second, Queue: 2 * time.Minute, Tarpit: 3 * time.Millisecond}
	if be.Timeouts != want {
		t.Errorf("timeouts %+v, want %+v", be.Timeouts, want)
	}
	if got := be.Timeouts.Names(); !reflect.DeepEqual(got, []string{"client", "server", "connect", "queue", "http-request", "tarpit"}) {
		t.Errorf("Names() = %q", got)
	}
	// every name HAProxy's message lists has its own field
	var all Timeouts
	for i, k := range timeoutKeywords {
		*k.field(&all) = time.Duration(i + 1)
	}
	if len(all.Names()) != reflect.TypeOf(all).NumField() {
		t.Errorf("%d timeout names for %d fields", len(all.Names()), reflect.TypeOf(all).NumField())
	}
}

// TestProxyKeywordTable: every row names a keyword of configuration.txt's
// matrix (or one HAProxy 2.6 registers besides), once.
func TestProxyKeywordTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range proxyKeywordTable {
		if seen[r.Name] {
			t.Errorf("%s: two rows", r.Name)
		}
		seen[r.Name] = true
		if _, ok := proxyIndex[r.Name]; !ok {
			t.Errorf("%s: not in the proxy keyword matrix", r.Name)
		}
		if r.Handler == nil {
			t.Errorf("%s: no handler", r.Name)
		}
	}
}

// TestGlobalKeywordTable: every row names a global keyword HAProxy 2.6
// knows, once.
func TestGlobalKeywordTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range globalKeywordTable {
		if seen[r.Name] {
			t.Errorf("%s: two rows", r.Name)
		}
		seen[r.Name] = true
		if !globalKeywordSet[r.Name] && r.Name != "stats" && r.Name != "master-worker" && r.Name != "nbthread" {
			t.Errorf("%s: not a global keyword", r.Name)
		}
	}
}

// TestServerOptionTable: every row names a server option HAProxy 2.6
// knows, once, and takes a value exactly when the option does.
func TestServerOptionTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range serverOptionTable {
		if seen[r.Name] {
			t.Errorf("%s: two rows", r.Name)
		}
		seen[r.Name] = true
		if !serverKeywordSet[r.Name] {
			t.Errorf("%s: not a server option", r.Name)
		}
		if (r.Args != "") != serverWithArg[r.Name] {
			t.Errorf("%s: argument doc %q, takes a value: %v", r.Name, r.Args, serverWithArg[r.Name])
		}
	}
}

// TestBindOptionTable: every row names a bind option HAProxy 2.6 knows,
// once, and an option with a check takes a value.
func TestBindOptionTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range bindOptionTable {
		if seen[r.Name] {
			t.Errorf("%s: two rows", r.Name)
		}
		seen[r.Name] = true
		if !bindKeywordSet[r.Name] {
			t.Errorf("%s: not a bind option", r.Name)
		}
		if r.Check != nil && !r.Value {
			t.Errorf("%s: a check without a value", r.Name)
		}
	}
}
