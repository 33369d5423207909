package statspage

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/runtimeapi"
)

type fakeSource struct{ proxies []runtimeapi.Proxy }

func (f fakeSource) Info() runtimeapi.Info     { return runtimeapi.Info{Version: "2.6.12", Pid: 7} }
func (f fakeSource) Stats() []runtimeapi.Proxy { return f.proxies }

func twoProxies() fakeSource {
	return fakeSource{[]runtimeapi.Proxy{
		{Name: "stats", HTTP: true, Frontend: &runtimeapi.Frontend{}, Backend: &runtimeapi.Backend{Algo: "roundrobin"}},
		{Name: "app", HTTP: true, Backend: &runtimeapi.Backend{Algo: "roundrobin", Servers: []runtimeapi.Server{
			{Name: "a1", ID: 1, Up: true, Weight: 1}, {Name: "a2", ID: 2, Weight: 1},
		}}},
	}}
}

func header(r Response, name string) string {
	for _, h := range r.Headers {
		if h.Name == name {
			return h.Value
		}
	}
	return ""
}

// TestAuth401 compares the refusal with HAProxy 2.6's (measured with
// curl: status, realm header and body).
func TestAuth401(t *testing.T) {
	o := &Options{URI: "/stats", Auth: []string{"admin:secret"}}
	r := Serve(o, Request{Method: "GET", URI: "/stats"}, twoProxies())
	if r.Status != 401 || header(r, "www-authenticate") != `Basic realm="HAProxy Statistics"` ||
		r.Body != "<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n" || len(r.Body) != 112 {
		t.Fatalf("got %d %v %q", r.Status, r.Headers, r.Body)
	}
	o.Realm = "My Realm"
	bad := "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:wrong"))
	if r := Serve(o, Request{Method: "GET", URI: "/stats", Authorization: bad}, twoProxies()); r.Status != 401 || header(r, "www-authenticate") != `Basic realm="My Realm"` {
		t.Fatalf("wrong password: %d %v", r.Status, r.Headers)
	}
	good := "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:secret"))
	if r := Serve(o, Request{Method: "GET", URI: "/stats", Authorization: good}, twoProxies()); r.Status != 200 || !r.Streamed {
		t.Fatalf("good password: %d", r.Status)
	}
}

func TestServeFormats(t *testing.T) {
	o := &Options{URI: "/stats", Refresh: 5 * time.Second}
	src := twoProxies()
	r := Serve(o, Request{Method: "GET", URI: "/stats;csv"}, src)
	if r.Status != 200 || header(r, "content-type") != "text/plain" || r.Body != runtimeapi.FormatStat(src.Stats(), runtimeapi.StatFilter{}) {
		t.Fatalf("csv: %d %v\n%s", r.Status, r.Headers, r.Body)
	}
	if header(r, "refresh") != "5" {
		t.Fatalf("refresh header: %v", r.Headers)
	}
	r = Serve(o, Request{Method: "GET", URI: "/stats;norefresh"}, src)
	if header(r, "refresh") != "" || header(r, "content-type") != "text/html" || !strings.Contains(r.Body, `<a href="/stats">Enable refresh</a>`) {
		t.Fatalf("norefresh: %v", r.Headers)
	}
	r = Serve(o, Request{Method: "GET", URI: "/stats;up"}, src)
	if strings.Contains(r.Body, `name="app/a2"`) || !strings.Contains(r.Body, `name="app/a1"`) || !strings.Contains(r.Body, "UP (1/2)") {
		t.Fatal(";up must hide the DOWN server and count the backend's up servers")
	}
	r = Serve(o, Request{Method: "GET", URI: "/stats?scope=ap"}, src)
	if strings.Contains(r.Body, `name="stats"`) || !strings.Contains(r.Body, `name="app"`) || !strings.Contains(r.Body, `<input value="ap"`) {
		t.Fatal("scope=ap must show app only")
	}
	o.Scope, o.Self = []string{"."}, "stats"
	r = Serve(o, Request{Method: "GET", URI: "/stats;csv"}, src)
	if strings.Contains(r.Body, "app,") || !strings.Contains(r.Body, "stats,FRONTEND") {
		t.Fatalf("stats scope .: %s", r.Body)
	}
	r = Serve(o, Request{Method: "GET", URI: "/stats;json"}, src)
	var rows [][]map[string]any
	if err := json.Unmarshal([]byte(r.Body), &rows); err != nil || header(r, "content-type") != "application/json" || len(rows) != 2 {
		t.Fatalf(";json: %v %d rows\n%s", err, len(rows), r.Body)
	}
	if f := rows[0][0]; f["objType"] != "Frontend" || f["value"].(map[string]any)["value"] != "stats" {
		t.Errorf(";json first field: %v", f)
	}
	if r := Serve(o, Request{Method: "GET", URI: "/stats;json-schema"}, src); !strings.HasPrefix(r.Body, `{"$schema":"http://json-schema.org/draft-04/schema#"`) {
		t.Errorf(";json-schema: %.80s", r.Body)
	}
}

func TestMatches(t *testing.T) {
	o := &Options{}
	for _, tc := range []struct {
		method, uri string
		want        bool
	}{
		{"GET", "/haproxy?stats", true}, {"HEAD", "/haproxy?stats;csv", true}, {"POST", "/haproxy?stats", true},
		{"PUT", "/haproxy?stats", false}, {"GET", "/haproxy", false}, {"GET", "/", false},
	} {
		if got := o.Matches(tc.method, tc.uri); got != tc.want {
			t.Errorf("%s %s: %v", tc.method, tc.uri, got)
		}
	}
	if requestURI([]byte("http://h:1/st?x")) != "/st?x" {
		t.Error("absolute URI")
	}
}

type adminFake struct {
	fakeSource
	set []string
}

func (a *adminFake) SetServerState(b, s string, st runtimeapi.AdminState) error {
	a.set = append(a.set, b+"/"+s+" "+st.String())
	return nil
}

// TestAdminPost: the form's outcomes as HAProxy words them in the
// redirect, and the actions goha does not perform refused.
func TestAdminPost(t *testing.T) {
	o := &Options{URI: "/st"}
	src := &adminFake{fakeSource: twoProxies()}
	for _, tc := range []struct {
		admin bool
		body  string
		want  string
	}{
		{true, "s=a1&s=a2&action=drain&b=app", "303 /st;st=DONE"},
		{true, "s=a1&s=zz&action=maint&b=%233", "303 /st;st=PART"},
		{true, "s=zz&action=maint&b=app", "303 /st;st=ERRP"},
		{true, "s=a1&action=nope&b=app", "303 /st;st=ERRP"},
		{true, "s=a1&action=maint&b=nope", "303 /st;st=ERRP"},
		{true, "action=maint&b=app", "303 /st;st=NONE"},
		{false, "s=a1&action=maint&b=app", "303 /st;st=DENY"},
		{true, "s=a1&action=shutdown&b=app", "503 "},
	} {
		r := Serve(o, Request{Method: "POST", URI: "/st", Admin: tc.admin, Body: []byte(tc.body)}, src)
		if got := fmt.Sprint(r.Status, " ", header(r, "location")); got != tc.want {
			t.Errorf("%s (admin %v): %q, want %q", tc.body, tc.admin, got, tc.want)
		}
	}
	// HAProxy walks the form from its end: a2 before a1
	if strings.Join(src.set, ",") != "app/a2 drain,app/a1 drain,app/a1 maint" {
		t.Errorf("applied %q", src.set)
	}
}
