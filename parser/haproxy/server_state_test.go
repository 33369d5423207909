package haproxy

import (
	"reflect"
	"strings"
	"testing"
)

// The messages and values of HAProxy 2.6.12 for the server-state keywords
// (measured with haproxy -c on the same lines).
func TestServerStateKeywords(t *testing.T) {
	res := checkString(t, `global
  server-state-base /tmp/st
  server-state-base /tmp/st2
  server-state-file glob
  server-state-file glob2
defaults
  mode http
  timeout connect 1s
  timeout client 1s
  timeout server 1s
  load-server-state-from-file foo
  server-state-file-name x
frontend fe
  bind 127.0.0.1:18901
  load-server-state-from-file global
  server-state-file-name y
backend bk
  load-server-state-from-file
  server-state-file-name a b
  server s1 127.0.0.1:18999
backend inherits
  server s1 127.0.0.1:18999
defaults
  load-server-state-from-file local
backend own
  server-state-file-name use-backend-name
  server s1 127.0.0.1:18999
`)
	var got []string
	for _, d := range res.Diags.List {
		sev := "WARNING"
		if d.Severity == Alert {
			sev = "ALERT"
		}
		if strings.Contains(d.Text, "state") {
			got = append(got, sev+" "+d.Text)
		}
	}
	want := []string{
		"ALERT config : parsing [t.cfg:3] : 'server-state-base' already specified. Continuing.",
		"ALERT config : parsing [t.cfg:5] : 'server-state-file' already specified. Continuing.",
		"ALERT config : parsing [t.cfg:11] : 'load-server-state-from-file' expects 'global', 'local' or 'none'. Got 'foo'",
		"WARNING config : parsing [t.cfg:15] : 'load-server-state-from-file' ignored because frontend 'fe' has no backend capability.",
		"WARNING config : parsing [t.cfg:16] : 'server-state-file-name' ignored because frontend 'fe' has no backend capability.",
		"ALERT config : parsing [t.cfg:18] : 'load-server-state-from-file' expects 'global', 'local' or 'none'. Got ''",
		"ALERT config : parsing [t.cfg:19] : 'server-state-file-name' cannot handle unexpected argument 'b'.",
	}
	for i := range got {
		got[i] = strings.Replace(got[i], res.Config.Proxies[0].Pos.File, "t.cfg", 1)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	g := res.Config.Global
	if g.ServerStateBase != "/tmp/st" || g.ServerStateFile != "glob" {
		t.Errorf("global: %q %q, want the first lines'", g.ServerStateBase, g.ServerStateFile)
	}
	modes := map[string]ServerStateSource{}
	for _, b := range res.Config.Backends {
		modes[b.Name] = b.ServerState
	}
	wantModes := map[string]ServerStateSource{
		"bk":       {FileName: "x"},
		"inherits": {FileName: "x"},
		"own":      {Mode: ServerStateLocal},
	}
	if !reflect.DeepEqual(modes, wantModes) {
		t.Errorf("backends: %+v, want %+v", modes, wantModes)
	}
}
