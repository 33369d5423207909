package haproxycmd

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"golang.org/x/net/html"
)

// statsPageConfig is the differential test's configuration: a stats page
// in a listen section with a checked server that is up, one down and one
// unchecked, a backup, and a frontend/backend pair carrying traffic.
const statsPageConfig = `global
    stats socket %[1]s/s.sock level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen stats
    bind %[2]s
    stats enable
    stats uri /st
    stats refresh 5s
    stats realm Goha\ Test
    stats auth admin:secret
    stats show-legends
    stats admin if TRUE
    http-request deny if { path /st/denied }
    http-request allow
    server s1 %[3]s check inter 100ms
    server s2 %[4]s check inter 100ms
    server s3 %[3]s
    server s4 %[3]s backup
frontend fe
    bind %[5]s
    default_backend app
backend app
    stats enable
    stats uri /appst
    stats http-request deny if { req.hdr(x-deny) -m found }
    stats http-request auth realm Other if { req.hdr(x-auth) -m found }
    stats http-request allow
    server a1 %[3]s check inter 100ms
    server a2 %[3]s
`

// statsPageRun is one proxy running statsPageConfig.
type statsPageRun struct{ page, fe string }

func startStatsPage(t *testing.T, bin, web, closed string) statsPageRun {
	t.Helper()
	dir := t.TempDir()
	r := statsPageRun{page: loopback.FreeAddr(t), fe: loopback.FreeAddr(t)}
	path := filepath.Join(dir, "s.cfg")
	if err := os.WriteFile(path, []byte(fmt.Sprintf(statsPageConfig, dir, r.page, web, closed, r.fe)), 0o644); err != nil {
		t.Fatal(err)
	}
	runQuiet(t, bin, path)
	loopback.WaitListen(t, r.page)
	loopback.WaitListen(t, r.fe)
	return r
}

type pageReply struct {
	status int
	header http.Header
	body   string
}

func fetchPage(t *testing.T, addr, uri string, auth bool) pageReply {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+uri, nil)
	if auth {
		req.SetBasicAuth("admin", "secret")
	}
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return pageReply{resp.StatusCode, resp.Header, string(b)}
}

// pageRow is one row of a proxy table as a reader sees it: the row's
// colour class and the visible text of each cell (tooltips left out).
type pageRow struct {
	class string
	cells []string
}

// pageTables parses a stats page: proxy names in order, and each proxy
// table's rows (the two header rows included).
func pageTables(t *testing.T, doc string) (names []string, tables [][]pageRow) {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "th" && attr(n, "class") == "pxname" {
			names = append(names, visibleText(n))
		}
		if n.Type == html.ElementNode && n.Data == "table" && attr(n, "class") == "tbl" && hasColumnHeads(n) {
			var rows []pageRow
			forEach(n, "tr", func(tr *html.Node) {
				r := pageRow{class: attr(tr, "class")}
				for c := tr.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
						r.cells = append(r.cells, visibleText(c))
					}
				}
				rows = append(rows, r)
			})
			tables = append(tables, rows)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return names, tables
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func forEach(n *html.Node, tag string, f func(*html.Node)) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == tag {
			f(c)
			continue
		}
		if c.Type == html.ElementNode && c.Data == "table" {
			continue // a tooltip's table
		}
		forEach(c, tag, f)
	}
}

func hasColumnHeads(n *html.Node) bool {
	found := false
	forEach(n, "th", func(th *html.Node) { found = found || visibleText(th) == "Thrtle" })
	return found
}

// visibleText is a cell's text without its tooltip (div class=tips).
func visibleText(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && n.Data == "div" {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(n)
	return strings.TrimSpace(b.String())
}

// TestStatsPageMatchesHAProxy runs the same configuration under HAProxy
// 2.6 and gohaproxy, sends the same requests, and compares the stats
// pages as documents: the 401 without credentials (status, realm, body),
// the proxies in order, the column heads, every row's colour class, name
// and status text, the sessions counters the traffic drove, the
// Refresh header, and the ;csv export's header and rows.
func TestStatsPageMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "web")
	closedLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := closedLn.Addr().String()
	closedLn.Close() // s2's checks get connection refused
	runs := map[string]statsPageRun{"haproxy": startStatsPage(t, "haproxy", web.Addr, closed), "goha": startStatsPage(t, gohaproxy, web.Addr, closed)}
	for _, r := range runs {
		for i := 0; i < 5; i++ {
			if got := loopback.Get(t, r.fe); got != "200 web" {
				t.Fatalf("GET through fe: %s", got)
			}
		}
	}
	time.Sleep(800 * time.Millisecond) // s2 reaches DOWN (fall 3 at 100ms) in both

	replies := map[string][3]pageReply{}
	for name, r := range runs {
		replies[name] = [3]pageReply{fetchPage(t, r.page, "/st", false), fetchPage(t, r.page, "/st", true), fetchPage(t, r.page, "/st;csv;norefresh", true)}
	}
	ha, goha := replies["haproxy"], replies["goha"]

	// The refusal without credentials.
	for _, h := range []string{"Www-Authenticate", "Content-Type", "Cache-Control"} {
		if ha[0].header.Get(h) != goha[0].header.Get(h) {
			t.Errorf("401 %s: haproxy %q, goha %q", h, ha[0].header.Get(h), goha[0].header.Get(h))
		}
	}
	if ha[0].status != 401 || goha[0].status != 401 || ha[0].body != goha[0].body {
		t.Errorf("401: haproxy %d %q, goha %d %q", ha[0].status, ha[0].body, goha[0].status, goha[0].body)
	}

	// The page.
	if ha[1].status != 200 || goha[1].status != 200 {
		t.Fatalf("page status: haproxy %d, goha %d", ha[1].status, goha[1].status)
	}
	for _, h := range []string{"Refresh", "Content-Type", "Cache-Control"} {
		if ha[1].header.Get(h) != goha[1].header.Get(h) {
			t.Errorf("page %s: haproxy %q, goha %q", h, ha[1].header.Get(h), goha[1].header.Get(h))
		}
	}
	haNames, haTables := pageTables(t, ha[1].body)
	goNames, goTables := pageTables(t, goha[1].body)
	if !reflect.DeepEqual(haNames, goNames) || len(haNames) != 3 {
		t.Fatalf("proxies: haproxy %q, goha %q", haNames, goNames)
	}
	if len(haTables) != len(goTables) {
		t.Fatalf("tables: haproxy %d, goha %d", len(haTables), len(goTables))
	}
	// Cells compared (after the admin form's checkbox cell): 1 name, 11
	// sessions total, 23 status, 25 weight, 26 act, 27 bck.
	for i := range haTables {
		h, g := haTables[i], goTables[i]
		if len(h) != len(g) {
			t.Errorf("%s: %d rows in haproxy's table, %d in goha's", haNames[i], len(h), len(g))
			continue
		}
		if !reflect.DeepEqual(h[0], g[0]) || !reflect.DeepEqual(h[1], g[1]) {
			t.Errorf("%s: column heads differ:\nhaproxy %q\ngoha    %q", haNames[i], h[:2], g[:2])
		}
		for j := 2; j < len(h); j++ {
			hr, gr := h[j], g[j]
			if hr.class != gr.class || len(hr.cells) != len(gr.cells) {
				t.Errorf("%s row %d: haproxy %s (%d cells), goha %s (%d cells)", haNames[i], j, hr.class, len(hr.cells), gr.class, len(gr.cells))
				continue
			}
			for _, c := range []int{1, 11, 23, 25, 26, 27} {
				if c >= len(hr.cells) || (hr.class == "frontend" && c > 23) {
					continue
				}
				hv, gv := hr.cells[c], gr.cells[c]
				if c == 23 { // "<lastchg> <status>": the time may differ by a second
					hv, gv = statusWord(hv), statusWord(gv)
				}
				if hv != gv {
					t.Errorf("%s row %d (%s) cell %d: haproxy %q, goha %q", haNames[i], j, hr.cells[1], c, hv, gv)
				}
			}
		}
	}

	// The traffic shows (and the loop above found it equal in HAProxy's
	// page): 5 sessions on app's backend, 3 on a1 and 2 on a2.
	app := goTables[2]
	if len(app) != 5 || app[4].class != "backend" || app[4].cells[11] != "5" || app[2].cells[11] != "3" || app[3].cells[11] != "2" || app[2].class != "active_up" {
		t.Errorf("app table: %q", app)
	}
	if st := goTables[0]; len(st) != 8 || st[3].class != "active_up" || st[4].class != "active_down" || st[5].class != "active_no_check" || st[6].class != "backup_no_check" {
		t.Errorf("stats table: %q", st)
	}

	// ;json is show stat json: the same rows and, in each, the same
	// fields with the same positions, tags and value types.
	jsonShape := func(body string) []string {
		var rows [][]struct {
			ObjType string         `json:"objType"`
			ProxyID int            `json:"proxyId"`
			ID      int            `json:"id"`
			Field   map[string]any `json:"field"`
			Tags    map[string]any `json:"tags"`
			Value   map[string]any `json:"value"`
		}
		if err := json.Unmarshal([]byte(body), &rows); err != nil {
			t.Fatalf(";json: %v\n%.300s", err, body)
		}
		var out []string
		for _, r := range rows {
			for _, f := range r {
				out = append(out, fmt.Sprint(f.ObjType, f.ProxyID, f.ID, f.Field, f.Tags, f.Value["type"]))
			}
		}
		return out
	}
	haJSON, goJSON := fetchPage(t, runs["haproxy"].page, "/st;json", true), fetchPage(t, runs["goha"].page, "/st;json", true)
	if haJSON.header.Get("Content-Type") != goJSON.header.Get("Content-Type") {
		t.Errorf(";json content-type: haproxy %q, goha %q", haJSON.header.Get("Content-Type"), goJSON.header.Get("Content-Type"))
	}
	if h, g := jsonShape(haJSON.body), jsonShape(goJSON.body); !reflect.DeepEqual(h, g) {
		for i := 0; i < len(h) && i < len(g); i++ {
			if h[i] != g[i] {
				t.Errorf(";json field %d: haproxy %s, goha %s", i, h[i], g[i])
				break
			}
		}
		t.Errorf(";json: haproxy %d fields, goha %d", len(h), len(g))
	}
	if h, g := fetchPage(t, runs["haproxy"].page, "/st;json-schema", true).body, fetchPage(t, runs["goha"].page, "/st;json-schema", true).body; h != g {
		t.Errorf(";json-schema differs")
	}

	// The admin form: the same POSTs get the same redirects, and the
	// drained server shows as HAProxy shows it.
	for _, form := range []string{"s=a1&action=drain&b=app", "s=nope&action=maint&b=app", "action=maint&b=app", "s=a1&action=bogus&b=app", "s=a2&action=maint&b=%234"} {
		// The whole answer, byte for byte: the redirect's header order too.
		var answer [2]string
		for i, name := range []string{"haproxy", "goha"} {
			answer[i] = rawExchange(t, runs[name].page, "POST /st HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YWRtaW46c2VjcmV0\r\n"+
				"Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n"+
				fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(form), form))
		}
		if answer[0] != answer[1] || !strings.HasPrefix(answer[0], "HTTP/1.1 303 ") {
			t.Errorf("POST %s: haproxy %q, goha %q", form, answer[0], answer[1])
		}
	}
	for _, name := range []string{"haproxy", "goha"} {
		_, tables := pageTables(t, fetchPage(t, runs[name].page, "/st;st=DONE", true).body)
		app := tables[2]
		if len(app) != 5 || app[2].class != "active_draining" || statusWord(app[2].cells[23]) != "DRAIN" || app[3].class != "maintain" {
			t.Errorf("%s: after drain a1 and maint a2 (by the form's #id): %q", name, app[2:4])
		}
	}

	// ;csv is show stat's CSV: same header, same rows and statuses.
	if ha[2].header.Get("Content-Type") != goha[2].header.Get("Content-Type") || ha[2].header.Get("Refresh") != goha[2].header.Get("Refresh") {
		t.Errorf(";csv headers: haproxy %v, goha %v", ha[2].header, goha[2].header)
	}
	haCSV, goCSV := strings.Split(ha[2].body, "\n"), strings.Split(goha[2].body, "\n")
	if haCSV[0] != goCSV[0] || len(haCSV) != len(goCSV) {
		t.Fatalf(";csv: haproxy %d lines, goha %d\n%s\n%s", len(haCSV), len(goCSV), haCSV[0], goCSV[0])
	}
	for i := 1; i < len(haCSV); i++ {
		hf, gf := strings.Split(haCSV[i], ","), strings.Split(goCSV[i], ",")
		if len(hf) < 18 || len(gf) < 18 {
			continue
		}
		// pxname, svname, stot (after the page requests), status
		for _, c := range []int{0, 1, 17} {
			if hf[c] != gf[c] {
				t.Errorf(";csv line %d column %d: haproxy %q, goha %q", i, c, hf[c], gf[c])
			}
		}
		if hf[1] != "FRONTEND" && hf[0] == "app" && hf[7] != gf[7] {
			t.Errorf(";csv %s/%s stot: haproxy %s, goha %s", hf[0], hf[1], hf[7], gf[7])
		}
	}

	// The section's http-request rules run first: a deny answers before
	// the page; after an allow the page is still served.
	for _, name := range []string{"haproxy", "goha"} {
		if r := fetchPage(t, runs[name].page, "/st/denied", true); r.status != 403 {
			t.Errorf("%s: GET /st/denied: %d, want the deny's 403", name, r.status)
		}
	}

	// A backend's `stats http-request` rules run before its page: deny,
	// auth with its realm, then allow.
	for _, hdr := range []string{"x-deny", "x-auth"} {
		var got [2]string
		for i, name := range []string{"haproxy", "goha"} {
			req, _ := http.NewRequest("GET", "http://"+runs[name].fe+"/appst", nil)
			req.Header.Set(hdr, "1")
			c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got[i] = fmt.Sprintf("%d %q %q %q", resp.StatusCode, resp.Header.Get("Www-Authenticate"), resp.Header.Get("Content-Type"), b)
		}
		if got[0] != got[1] || !strings.HasPrefix(got[0], "40") {
			t.Errorf("stats http-request, header %s:\nhaproxy %s\ngoha    %s", hdr, got[0], got[1])
		}
	}

	// A backend's page: served once a request is routed to the backend.
	for _, name := range []string{"haproxy", "goha"} {
		r := fetchPage(t, runs[name].fe, "/appst", false)
		names, _ := pageTables(t, r.body)
		if r.status != 200 || r.header.Get("Content-Type") != "text/html" || strings.Join(names, ",") != "stats,fe,app" {
			t.Errorf("%s: GET /appst through fe: %d %q %q", name, r.status, r.header.Get("Content-Type"), names)
		}
	}
}

// statusWord drops the time since the last change from a status cell
// ("1s DOWN" gives "DOWN").
func statusWord(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 && strings.ContainsAny(s[:i], "0123456789") && strings.ContainsAny(s[i-1:i], "smhd") {
		return s[i+1:]
	}
	return s
}

// rawExchange sends req on a new connection to addr and returns all the
// bytes that come back until the server closes (5 s at most).
func rawExchange(t *testing.T, addr, req string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(c)
	return string(b)
}
