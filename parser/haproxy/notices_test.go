package haproxy

import (
	"reflect"
	"sort"
	"testing"
)

// gohaNotices returns the subjects of the goha notices for cfg, sorted.
func gohaNotices(t *testing.T, cfg string) []string {
	t.Helper()
	res := CheckBytes("n.cfg", []byte(cfg), nil)
	if res.Exit == 1 {
		for _, d := range res.Diags.List {
			t.Log(d.Text)
		}
		t.Fatal("config rejected")
	}
	var out []string
	for _, d := range res.Diags.List {
		if d.Goha {
			out = append(out, d.Text)
		}
	}
	sort.Strings(out)
	return out
}

// What gohaproxy honours gives no notice (hard-stop-after, nosplice, node,
// the splice and log-health-checks options); what it does not gives one
// (descriptions, proxy ids, master-worker no-exit-on-failure).
func TestNoticesFollowWhatIsHonoured(t *testing.T) {
	got := gohaNotices(t, `global
    hard-stop-after 30s
    nosplice
    node lb1
    description the load balancer
    master-worker no-exit-on-failure
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    option splice-auto
    no option splice-request
    option splice-response
    option log-health-checks
backend b
    id 7
    description the servers
    server s 127.0.0.1:80
`)
	want := []string{
		"goha: [n.cfg:6] : 'master-worker no-exit-on-failure' parsed but not supported yet.",
		"goha: [n.cfg:18] : 'description' parsed but not supported yet.",
		"goha: [n.cfg:5] : 'description' parsed but not supported yet.",
	}
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("notices:\n%q\nwant\n%q", got, want)
	}
}
