package haproxycfg

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
)

// keywordsTable is the audit of what the parser accepts: keyword, section,
// whether gohaproxy honours it or reports it, and where.
const keywordsTable = "../../parser/haproxy/KEYWORDS.md"

// auditBase has no goha notice of its own; each keyword is added to the
// global section, the frontend or the backend and its notices (parser's
// and wire's) counted against it.
const auditBase = `global
    external-check
    insecure-fork-wanted
%s
defaults
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend f
    mode http
    bind 127.0.0.1:8080
    default_backend b
%s
backend b
    mode http
    option httpchk
    external-check command /bin/true
    server s 127.0.0.1:9 check
%s
backend st
    stick-table type ip size 1k
http-errors audit
    errorfile 503 ../../testdata/haproxy/files/errors/503.http
`

// auditArgs are the arguments tried for a keyword, in order, until the
// parser accepts the statement; keywords not listed try the generic ones.
var auditArgs = map[string][][]string{
	"tcp-response content":      {{"accept"}},
	"acl":                       {{"a", "src", "127.0.0.1"}},
	"balance":                   {{"roundrobin"}},
	"compression":               {{"algo", "gzip"}},
	"bind":                      {{"127.0.0.1:8081"}},
	"server":                    {{"s2", "127.0.0.1:10"}},
	"server-template":           {{"t", "2", "127.0.0.1:11"}},
	"default-server":            {{"weight", "2"}},
	"use_backend":               {{"b"}},
	"default_backend":           {{"b"}},
	"errorfile":                 {{"503", "../../testdata/haproxy/files/errors/503.http"}},
	"log":                       {{"127.0.0.1:514", "local0"}},
	"log-format":                {{"%ci"}},
	"mode":                      {{"http"}},
	"hash-type":                 {{"consistent"}},
	"uid":                       {{"65534"}},
	"gid":                       {{"65534"}},
	"http-request":              {{"set-header", "X", "y"}},
	"stick-table":               {{"type", "ip", "size", "1k"}},
	"stick on":                  {{"src", "table", "st"}},
	"stick match":               {{"src", "table", "st"}},
	"stick store-request":       {{"src", "table", "st"}},
	"stick store-response":      {{"src", "table", "st"}},
	"http-response":             {{"set-header", "X", "y"}},
	"http-after-response":       {{"set-header", "X", "y"}},
	"stats admin":               {{"if", "TRUE"}},
	"force-persist":             {{"if", "TRUE"}},
	"monitor fail":              {{"if", "TRUE"}},
	"use-server":                {{"s", "if", "TRUE"}},
	"ignore-persist":            {{"if", "TRUE"}},
	"stats auth":                {{"admin:secret"}},
	"http-check send":           {{"meth", "GET"}},
	"h1-case-adjust":            {{"x-a", "X-A"}},
	"http-check expect":         {{"status", "200"}},
	"retries":                   {{"3"}},
	"dispatch":                  {{"127.0.0.1:80"}},
	"source":                    {{"127.0.0.2"}},
	"retry-on":                  {{"conn-failure"}},
	"maxconn":                   {{"100"}},
	"stats":                     {{"socket", "/tmp/goha-audit.sock"}},
	"user":                      {{"nobody"}},
	"group":                     {{"nogroup"}},
	"pidfile":                   {{"/tmp/goha-audit.pid"}},
	"chroot":                    {{"/tmp"}},
	"nbthread":                  {{"2"}},
	"spread-checks":             {{"5"}},
	"hard-stop-after":           {{"30s"}},
	"default-path":              {{"current"}},
	"node":                      {{"lb1"}},
	"log-tag":                   {{"x"}},
	"tune.h2.header-table-size": {{"8192"}},
	"tune.h2.max-frame-size":    {{"32768"}},
	"errorloc":                  {{"503", "http://example.com/"}},
	"errorloc302":               {{"503", "http://example.com/"}},
	"errorloc303":               {{"503", "/sorry"}},
	"errorfiles":                {{"audit"}},
	"http-error":                {{"status", "503", "string", "x"}},
	"declare capture":           {{"request", "len", "8"}},
	"unique-id-format":          {{"%ci"}},
	"set-var":                   {{"proc.x", "int(1)"}},
	"set-var-fmt":               {{"proc.y", "a"}},
	"unique-id-header":          {{"X-ID"}},
	"capture request header":    {{"host", "len", "8"}},
	"capture response header":   {{"server", "len", "8"}},
	"tune.ssl.keylog":           {{"on"}},
}

// The rules wire maps in frontends only (tcprules.go).
func init() {
	auditArgs["redirect"] = [][]string{{"location", "/x"}}
	auditArgs["tcp-request connection"] = [][]string{{"reject"}}
	auditArgs["tcp-request session"] = [][]string{{"reject"}}
	// an action HAProxy knows that goha reports (unknown ones get
	// HAProxy's alert: parser tcp_request_actions.go)
	auditArgs["tcp-request content"] = [][]string{{"set-nice", "1"}}
	auditArgs["tcp-request inspect-delay"] = [][]string{{"1s"}}
	auditArgs["ssl-server-verify"] = [][]string{{"none"}}
	auditArgs["ssl-default-server-options"] = [][]string{{"no-tls-tickets"}}
	auditArgs["ssl-default-bind-options"] = [][]string{{"no-sslv3"}}
	auditArgs["load-server-state-from-file"] = [][]string{{"none"}}
	auditArgs["tune.bufsize"] = [][]string{{"16384"}}
	auditArgs["ssl-provider"] = [][]string{{"default"}}
	auditArgs["tune.ssl.default-dh-param"] = [][]string{{"2048"}}
	auditArgs["ssl-load-extra-files"] = [][]string{{"all"}}
	auditArgs["issuers-chain-path"] = [][]string{{"../../testdata/haproxy/files/tls"}}
	auditArgs["ssl-dh-param-file"] = [][]string{{"../../testdata/haproxy/files/tls/dhparams.pem"}}
	auditArgs["option http-restrict-req-hdr-names"] = [][]string{{"delete"}}
}

// auditVarNames: the check variable actions name their variable in the
// action word.
var auditVarNames = map[string]string{
	"http-check set-var": "http-check set-var(check.x)", "http-check unset-var": "http-check unset-var(check.x)",
	"tcp-check set-var": "tcp-check set-var(check.x)", "tcp-check unset-var": "tcp-check unset-var(check.x)",
}

var genericArgs = [][]string{{}, {"1"}, {"1s"}, {"x"}, {"x", "y"}}

type auditResult struct {
	section, keyword string
	honoured         bool
}

// auditOne returns the notices of the base configuration with stmt added
// where section says, and whether the parser accepted it.
func auditOne(section, stmt string) (n int, ok bool) {
	g, f, b := "", "", ""
	base := auditBase
	if section == "backend without servers" {
		// dispatch serves a backend without servers only (dispatch.go)
		base = strings.Replace(base, "    server s 127.0.0.1:9 check\n", "", 1)
	}
	switch section {
	case "tcp backend":
		// option independent-streams is honoured in tcp proxies only
		// (indep_streams.go);
		// st has no mode line: tcp, HAProxy's default
		base = strings.Replace(base, "backend st\n", "backend st\n    "+strings.ReplaceAll(stmt, "%", "%%")+"\n", 1)
	case "global":
		g = "    " + stmt
	case "frontend":
		f = "    " + stmt
	default:
		b = "    " + stmt
	}
	res := haproxy.CheckBytes("a.cfg", []byte(fmt.Sprintf(base, g, f, b)), func(string) (string, bool) { return "", false })
	if res.Exit == 1 {
		return 0, false
	}
	for _, d := range res.Diags.List {
		if d.Severity == haproxy.Alert {
			return 0, false
		}
		if d.Goha {
			n++
		}
	}
	return n + len(Build(res.Config).Notices.List), true
}

// audit tries every global keyword and every proxy keyword of the parser's
// tables (plus the `no` forms the global section takes).
func audit(t *testing.T) []auditResult {
	if n, ok := auditOne("global", ""); !ok || n != 0 {
		t.Fatalf("audit base: accepted %v, %d notices", ok, n)
	}
	type kw struct{ section, name, where string }
	var kws []kw
	for _, k := range haproxy.Keywords("global") {
		kws = append(kws, kw{"global", k.Name, "global"})
	}
	kws = append(kws, kw{"global", "no strict-limits", "global"}, kw{"global", "no log", "global"},
		kw{"global", "master-worker", "global"})
	seen := map[string]bool{}
	for _, sec := range []string{"backend", "frontend"} {
		for _, k := range haproxy.Keywords(sec) {
			if seen[k.Name] {
				continue
			}
			seen[k.Name] = true
			where := sec
			switch k.Name {
			case "http-request", "http-response", "redirect", "tcp-request connection", "tcp-request session":
				where = "frontend" // a backend's rules are reported (build.go)
			case "dispatch", "option transparent":
				where = "backend without servers"
			case "option independent-streams":
				where = "tcp backend"
			}
			kws = append(kws, kw{"proxy", k.Name, where})
		}
	}
	var out []auditResult
	for _, k := range kws {
		cands := auditArgs[k.name]
		if cands == nil {
			cands = genericArgs
		}
		name := k.name
		if v, ok := auditVarNames[name]; ok {
			name, cands = v, [][]string{{"str(a)"}, {}}
		}
		for _, args := range cands {
			n, ok := auditOne(k.where, strings.TrimSpace(name+" "+strings.Join(args, " ")))
			if ok {
				out = append(out, auditResult{k.section, k.name, n == 0})
				break
			}
		}
	}
	return out
}

var tableRow = regexp.MustCompile("^\\| `([^`]+)` \\| (global|proxy) \\| (honoured|reported) \\|")

// TestKeywordsTableInSync: every keyword the parser accepts in the audit
// is in KEYWORDS.md, with the status observed (honoured = no goha notice
// from the parser or the mapping), and every row is such a keyword.
// KEYWORDS_DRAFT=1 prints the rows the table needs.
func TestKeywordsTableInSync(t *testing.T) {
	results := audit(t)
	if len(results) < 150 {
		t.Fatalf("only %d keywords accepted by the audit", len(results))
	}
	data, err := os.ReadFile(keywordsTable)
	if err != nil {
		t.Fatal(err)
	}
	table := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if m := tableRow.FindStringSubmatch(line); m != nil {
			table[m[2]+" "+m[1]] = m[3]
		}
	}
	var draft []string
	observed := map[string]bool{}
	for _, r := range results {
		key := r.section + " " + r.keyword
		observed[key] = true
		want := "reported"
		if r.honoured {
			want = "honoured"
		}
		draft = append(draft, fmt.Sprintf("| `%s` | %s | %s |", r.keyword, r.section, want))
		// The policy table agrees: a keyword used without a notice is
		// implemented; one reported is inert or unsupported.
		if row, ok := haproxy.ClassOf(r.section, strings.TrimPrefix(r.keyword, "no ")); !ok {
			t.Errorf("%s %q has no row in the class table", r.section, r.keyword)
		} else if (row.Class == haproxy.Implemented) != r.honoured {
			t.Errorf("%s %q is %s, the class table says %s", r.section, r.keyword, want, row.Class)
		}
		if got, ok := table[key]; !ok {
			t.Errorf("%s %q (%s) missing from KEYWORDS.md", r.section, r.keyword, want)
		} else if got != want {
			t.Errorf("%s %q is %s, KEYWORDS.md says %s", r.section, r.keyword, want, got)
		}
	}
	for key := range table {
		if !observed[key] {
			t.Errorf("KEYWORDS.md row %q: not a keyword the audit accepts", key)
		}
	}
	if os.Getenv("KEYWORDS_DRAFT") == "1" {
		sort.Strings(draft)
		t.Log("\n" + strings.Join(draft, "\n"))
	}
}
