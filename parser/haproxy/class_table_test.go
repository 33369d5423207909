package haproxy

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

const registryDump = "../../testdata/haproxy/registry/haproxy-2.6.12-dK.txt"

// subject is one (kind, name) the class table must cover.
type subject struct{ kind, name string }

// registrySubjects reads the committed `haproxy -dKall` dump and returns
// every configuration keyword (global and proxy keywords, bind and server
// options, rule actions), ACL keyword, converter, filter, sample fetch and
// service it lists, named as the class table names them. CLI keywords and
// crt-list file options are not configuration grammar and are skipped.
func registrySubjects(t *testing.T) []subject {
	t.Helper()
	f, err := os.Open(registryDump)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rulesets := []string{"http-request", "http-response", "http-after-response",
		"tcp-request connection", "tcp-request session", "tcp-request content", "tcp-response content"}
	fetchLine := regexp.MustCompile(`^\[[ Y.]*\] ([^(:]+)`)
	var out []subject
	part, cfgSection := "", ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if h, ok := strings.CutPrefix(line, "# List of registered "); ok {
			part = strings.Fields(h)[0] // ACL, configuration, CLI, sample, filter, service
			if part == "sample" {
				part = strings.Fields(h)[1] // converter or fetch
			}
			continue
		}
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		switch part {
		case "ACL":
			out = append(out, subject{"acl", strings.SplitN(line, " = ", 2)[0]})
		case "converter":
			out = append(out, subject{"converter", strings.FieldsFunc(line, func(r rune) bool { return r == '(' || r == ':' })[0]})
		case "filter":
			out = append(out, subject{"filter", strings.Fields(line)[0]})
		case "service":
			out = append(out, subject{"service", strings.TrimSpace(line)})
		case "fetch":
			m := fetchLine.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("unexpected fetch line %q", line)
			}
			out = append(out, subject{"fetch", m[1]})
		case "configuration":
			if !strings.HasPrefix(line, "\t") {
				cfgSection = line
				continue
			}
			w := strings.TrimSpace(line)
			switch cfgSection {
			case "global":
				out = append(out, subject{"global", w})
			case "listen":
				out = append(out, proxySubject(w, rulesets))
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// proxySubject names one line of the dump's "listen" block: "bind <addr>
// [scope] opt [+N]", "server <name> <addr> [scope] opt [+N]", "<ruleset>
// action[*]", "option name [ FE ... ]" or a keyword.
func proxySubject(w string, rulesets []string) subject {
	fields := strings.Fields(w)
	last := func(fs []string) string {
		for i := len(fs) - 1; i >= 0; i-- {
			if !strings.HasPrefix(fs[i], "+") {
				return fs[i]
			}
		}
		return ""
	}
	switch {
	case strings.HasPrefix(w, "bind <addr> "):
		return subject{"bind", last(fields[2:])}
	case strings.HasPrefix(w, "server <name> <addr> "):
		return subject{"server", last(fields[3:])}
	case fields[0] == "option":
		return subject{"proxy", "option " + fields[1]}
	}
	for _, rs := range rulesets {
		if a, ok := strings.CutPrefix(w, rs+" "); ok {
			return subject{rs, strings.TrimSuffix(a, "*")}
		}
	}
	return subject{"proxy", fields[0]}
}

// hasRow also accepts a proxy keyword of the dump that goha's tables write
// with its second word ("timeout" is "timeout client", ...).
func hasRow(s subject) bool {
	if _, ok := ClassOf(s.kind, s.name); ok {
		return true
	}
	if s.kind == "proxy" {
		for _, r := range classTable {
			if r.Kind == "proxy" && strings.HasPrefix(r.Name, s.name+" ") {
				return true
			}
		}
	}
	return false
}

// removedProxyKeywords are registered by 2.6 only to refuse them with a
// message (haproxy -c exits 1): they have no class.
var removedProxyKeywords = map[string]bool{"clitimeout": true, "contimeout": true, "srvtimeout": true}

func TestClassTableCoversRegistry(t *testing.T) {
	subs := registrySubjects(t)
	if len(subs) < 1000 {
		t.Fatalf("only %d subjects read from %s: dump format changed?", len(subs), registryDump)
	}
	kinds := map[string]int{}
	for _, s := range subs {
		kinds[s.kind]++
		if s.kind == "proxy" && removedProxyKeywords[s.name] {
			continue
		}
		if !hasRow(s) {
			t.Errorf("HAProxy registers %s %q but classTable has no row for it", s.kind, s.name)
		}
	}
	// Every family of the dump was read (a parser regression would
	// otherwise make this test pass vacuously).
	for _, k := range []string{"acl", "converter", "filter", "service", "fetch", "global", "proxy", "bind", "server",
		"http-request", "http-response", "http-after-response", "tcp-request connection",
		"tcp-request session", "tcp-request content", "tcp-response content"} {
		if kinds[k] == 0 {
			t.Errorf("no %s subject read from the dump", k)
		}
	}
}

func TestClassTableCoversParserTables(t *testing.T) {
	var subs []subject
	for _, sec := range []string{"global", "defaults", "frontend", "backend", "listen"} {
		kind := "proxy"
		if sec == "global" {
			kind = "global"
		}
		for _, k := range Keywords(sec) {
			subs = append(subs, subject{kind, k.Name})
		}
	}
	for sec := range smallSectionKeywords {
		for _, k := range Keywords(sec) {
			subs = append(subs, subject{sec, k.Name})
		}
	}
	for _, k := range extraProxyKeywords {
		if k != "no" && k != "default" { // prefixes: the keyword after them has the class
			subs = append(subs, subject{"proxy", k})
		}
	}
	for k := range bindKeywordSet {
		subs = append(subs, subject{"bind", k})
	}
	for k := range serverKeywordSet {
		subs = append(subs, subject{"server", k})
	}
	for _, a := range httpRequestActions {
		subs = append(subs, subject{"http-request", RuleActionName(strings.TrimSuffix(a, "(*)"))})
	}
	for _, a := range httpResponseActions {
		subs = append(subs, subject{"http-response", RuleActionName(strings.TrimSuffix(a, "(*)"))})
	}
	for _, f := range filterNames {
		subs = append(subs, subject{"filter", f})
	}
	seen := map[subject]bool{}
	for _, s := range subs {
		if seen[s] {
			continue // a proxy keyword is listed once per section kind
		}
		seen[s] = true
		if _, ok := ClassOf(s.kind, s.name); !ok {
			t.Errorf("goha's parser accepts %s %q but classTable has no row for it", s.kind, s.name)
		}
	}
	// The fetch table also holds ACL keywords (path_beg, hdr_sub, ...).
	for f := range fetchSet {
		_, fetch := ClassOf("fetch", f)
		_, acl := ClassOf("acl", f)
		if !fetch && !acl {
			t.Errorf("goha's parser accepts fetch %q but classTable has no fetch or acl row for it", f)
		}
	}
}

func TestClassTableRows(t *testing.T) {
	seen := map[string]bool{}
	for i, r := range classTable {
		key := r.Kind + " " + r.Name
		if seen[key] {
			t.Errorf("duplicate row %s", key)
		}
		seen[key] = true
		if r.Kind == "" || r.Name == "" || r.Name != strings.TrimSpace(r.Name) {
			t.Errorf("row %d: bad kind/name %q %q", i, r.Kind, r.Name)
		}
		switch r.Class {
		case Implemented, Inert:
			if r.Why == "" {
				t.Errorf("%s is %s without a Why", key, r.Class)
			}
		case InertUnlessTLS, Unsupported:
		default:
			t.Errorf("%s is %s", key, r.Class)
		}
	}
	if !sort.SliceIsSorted(classTable, func(i, j int) bool {
		a, b := classTable[i], classTable[j]
		return a.Kind < b.Kind || a.Kind == b.Kind && a.Name < b.Name
	}) {
		t.Error("classTable is not sorted by kind then name")
	}
}

// TestClassOfSamples pins the classes the fail-closed policy relies on: the
// rows of issue 16's table (features HAProxy serves and goha must refuse),
// the keywords of the seed, Debian and RHEL default configurations (which
// must keep starting) and one of each inert family.
func TestClassOfSamples(t *testing.T) {
	cases := []struct {
		kind, name string
		want       Class
	}{
		// Issue 16: served differently today, so unsupported.
		{"http-request", "auth", Implemented},
		{"converter", "url_dec", Implemented},
		{"converter", "aes_gcm_dec", Implemented},
		{"proxy", "stick-table", Implemented},
		{"http-request", "track-sc", Implemented},
		{"fetch", "sc_http_req_rate", Implemented},
		{"http-request", "redirect", Implemented},
		{"tcp-request connection", "reject", Implemented},
		{"http-request", "return", Implemented},
		{"http-request", "tarpit", Implemented},
		{"proxy", "stats enable", Implemented}, // issue 17: proxy/statspage
		{"proxy", "stats uri", Implemented},
		{"proxy", "stats auth", Implemented},
		{"proxy", "stats admin", Implemented},
		{"proxy", "stats http-request", Implemented},
		{"bind", "ssl", Implemented},
		{"bind", "crt", Implemented},
		{"global", "lua-load", Unsupported},
		{"global", "tune.bufsize", Implemented},
		{"global", "setenv", Implemented},
		{"filter", "compression", Implemented},
		{"service", "prometheus-exporter", Implemented},
		// Seed, Debian and RHEL defaults.
		{"global", "log", Implemented},
		{"global", "chroot", Implemented},
		{"global", "pidfile", Implemented},
		{"global", "maxconn", Implemented},
		{"global", "user", Implemented},
		{"global", "group", Implemented},
		{"global", "daemon", Implemented},
		{"global", "stats socket", Implemented},
		{"global", "stats timeout", Implemented},
		{"global", "ca-base", Implemented},
		{"global", "crt-base", Implemented},
		{"global", "ssl-default-bind-ciphers", Implemented},
		{"global", "ssl-default-bind-ciphersuites", Implemented},
		{"global", "ssl-default-bind-options", Implemented},
		{"global", "ssl-default-server-ciphers", Implemented},
		{"proxy", "mode", Implemented},
		{"proxy", "log", Implemented},
		{"proxy", "option httplog", Implemented},
		{"proxy", "option dontlognull", Implemented},
		{"proxy", "option http-server-close", Implemented},
		{"proxy", "option forwardfor", Implemented},
		{"proxy", "option redispatch", Implemented},
		{"proxy", "retries", Implemented},
		{"proxy", "timeout http-request", Implemented},
		{"proxy", "timeout queue", Implemented},
		{"proxy", "timeout connect", Implemented},
		{"proxy", "timeout client", Implemented},
		{"proxy", "timeout server", Implemented},
		{"proxy", "timeout http-keep-alive", Implemented},
		{"proxy", "timeout check", Implemented},
		{"proxy", "maxconn", Implemented},
		{"proxy", "errorfile", Implemented},
		{"proxy", "bind", Implemented},
		{"proxy", "default_backend", Implemented},
		{"proxy", "use_backend", Implemented},
		{"proxy", "acl", Implemented},
		{"acl", "path_beg", Implemented},
		{"acl", "path_end", Implemented},
		{"proxy", "balance", Implemented},
		{"proxy", "server", Implemented},
		{"server", "check", Implemented},
		{"http-request", "deny", Implemented},
		{"http-response", "set-header", Implemented},
		// Inert families.
		{"global", "cpu-map", Inert},
		{"global", "nbthread", Implemented},
		{"global", "thread-groups", Inert},
		{"global", "noepoll", Inert},
		{"global", "tune.maxaccept", Inert},
		{"global", "tune.h2.max-frame-size", Implemented},
		{"global", "tune.ssl.lifetime", Implemented},
		{"proxy", "timeout tarpit", Implemented},
		{"proxy", "option tcpka", Implemented},
		{"proxy", "email-alert to", Implemented},
		{"mailers", "mailer", Implemented},
		// Names of prefix actions.
		{"tcp-request content", "set-var", Implemented},
		{"tcp-response content", "set-var", Implemented},
		{"tcp-response content", "set-log-level", Implemented},
		{"tcp-response content", "send-spoe-group", Unsupported},
		{"tcp-request connection", "track-sc", Implemented},
	}
	for _, c := range cases {
		r, ok := ClassOf(c.kind, c.name)
		if !ok || r.Class != c.want {
			t.Errorf("ClassOf(%q, %q) = %v (%v), want %v", c.kind, c.name, r.Class, ok, c.want)
		}
	}
}

func TestRuleActionName(t *testing.T) {
	for in, want := range map[string]string{
		"set-var(txn.x)": "set-var", "set-var-fmt(txn.x)": "set-var-fmt", "sc-inc-gpc0(1)": "sc-inc-gpc0",
		"sc-inc-gpc(0,1)": "sc-inc-gpc", "track-sc0": "track-sc", "track-sc2": "track-sc", "track-sc": "track-sc",
		"deny": "deny", "do-resolve(txn.ip,dns)": "do-resolve", "track-scx": "track-scx",
	} {
		if got := RuleActionName(in); got != want {
			t.Errorf("RuleActionName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRegistryDumpCurrent regenerates the dump with the installed HAProxy:
// a different build (a new keyword) must show up as a diff here, and then
// as a missing row above.
func TestRegistryDumpCurrent(t *testing.T) {
	bin := testenv.LookPath(t, "haproxy")
	want, err := os.ReadFile(registryDump)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", filepath.Join("..", "..", "scripts", "haproxy-registry.sh"), "-")
	cmd.Env = append(os.Environ(), "HAPROXY="+bin)
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("haproxy-registry.sh: %v", err)
	}
	if string(got) != string(want) {
		t.Errorf("the installed haproxy's registry differs from %s: run scripts/haproxy-registry.sh and classify the new keywords", registryDump)
	}
}

// TestDefaultConfigsClassified walks the seed's, Debian's and RHEL's default
// haproxy.cfg (which must keep starting under the fail-closed policy, issue
// 16) statement by statement: every keyword, bind and server option, ACL
// criterion and rule action they use has a row, and none is unsupported.
func TestDefaultConfigsClassified(t *testing.T) {
	for _, name := range []string{"seed", "debian-default", "rhel-default"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "haproxy", name+".cfg"))
		if err != nil {
			t.Fatal(err)
		}
		section, n := "", 0
		for i, line := range strings.Split(string(data), "\n") {
			w := strings.Fields(strings.SplitN(line, "#", 2)[0])
			if len(w) == 0 {
				continue
			}
			if sectionKinds[w[0]] {
				section = w[0]
				continue
			}
			for _, s := range statementSubjects(section, w) {
				n++
				r, ok := ClassOf(s.kind, s.name)
				if !ok || r.Class == Unsupported {
					t.Errorf("%s.cfg:%d: %s %q is %v (row: %v)", name, i+1, s.kind, s.name, r.Class, ok)
				}
			}
		}
		if n < 20 {
			t.Errorf("%s.cfg: only %d subjects checked", name, n)
		}
	}
}

// statementSubjects is a small reading of one statement of those files:
// enough grammar for them, not a parser.
func statementSubjects(section string, w []string) []subject {
	if section == "global" {
		if w[0] == "stats" && len(w) > 1 {
			return []subject{{"global", "stats " + w[1]}}
		}
		return []subject{{"global", w[0]}}
	}
	row, ok := lookupProxyKeyword(w)
	if !ok {
		return []subject{{"proxy", strings.Join(w, " ")}}
	}
	out := []subject{{"proxy", row.Name}}
	switch w[0] {
	case "bind":
		for i := 2; i < len(w); i++ {
			out = append(out, subject{"bind", w[i]})
			if bindWithArg[w[i]] {
				i++
			}
		}
	case "server", "default-server":
		first := 3
		if w[0] == "default-server" {
			first = 1
		}
		for i := first; i < len(w); i++ {
			out = append(out, subject{"server", w[i]})
			if serverWithArg[w[i]] {
				i++
			}
		}
	case "acl":
		if len(w) > 2 {
			out = append(out, subject{"acl", fetchName(w[2])})
		}
	case "http-request", "http-response":
		if len(w) > 1 {
			out = append(out, subject{w[0], RuleActionName(w[1])})
		}
	}
	return out
}
