package keepalived

import (
	"os"
	"testing"
)

// allTables walks the keyword tree from the root (each table once).
func allTables() []*Table {
	var out []*Table
	seen := map[*Table]bool{}
	var walk func(*Table)
	walk = func(t *Table) {
		if seen[t] {
			return
		}
		seen[t] = true
		out = append(out, t)
		for _, k := range t.order {
			if k.Sub != nil {
				walk(k.Sub)
			}
		}
	}
	walk(rootTable)
	return out
}

// Every keyword gokeepalived runs says in its row where (fail closed: a
// new runtime keyword needs that decision, and KEYWORDS.md shows it); every
// numeric row's handler reads the row's Range (a handler over a nil Range
// would panic at the first use).
func TestKeywordRowsSayWhere(t *testing.T) {
	for _, tab := range allTables() {
		for _, k := range tab.order {
			if k.Honoured() && k.Where == "" {
				t.Errorf("%s %s is a runtime keyword whose row has no Where: name the file:function running it, or make it unsup/inert", tab.Name, k.Name)
			}
			if r := k.Range; r != nil && r.Min > r.Max {
				t.Errorf("%s %s: empty range %v", tab.Name, k.Name, r)
			}
		}
	}
}

// KEYWORDS.md is generated from the rows: a stale committed file fails.
func TestKeywordsDoc(t *testing.T) {
	got, err := os.ReadFile("KEYWORDS.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != KeywordsDoc() {
		t.Errorf("KEYWORDS.md is out of date: go generate ./parser/keepalived")
	}
}

// Values of honoured keywords that are not run are reported too.
func TestUnsupportedValuesAreReported(t *testing.T) {
	conf := `global_defs {
 script_user root wheel
}
vrrp_script chk {
 script /bin/true
 user nobody daemon
}
vrrp_instance V {
 interface eth0
 virtual_router_id 9
 authentication {
  auth_type AH
  auth_pass secret
 }
 track_script {
  chk
 }
 virtual_ipaddress {
  10.0.0.9
 }
}
`
	r := Lint(Options{File: "k.conf", Data: []byte(conf), ConfigID: "lb", Interfaces: []string{"lo", "eth0"},
		UserExists: func(n string) bool { return true }, FileMode: func(string) (os.FileMode, bool) { return 0o755, true }})
	want := map[string]int{
		"the group 'wheel' of script_user is parsed but not supported by gokeepalived yet: scripts run with the primary group of root":            2,
		"the group 'daemon' of vrrp_script chk is parsed but not supported by gokeepalived yet: the script runs with the primary group of nobody": 6,
		"'auth_type AH' is parsed but not supported by gokeepalived yet: adverts are sent without authentication":                                 12,
	}
	for _, d := range r.Diagnostics {
		if l, ok := want[d.Message]; ok && d.GohaOnly && d.Unsupported && d.Line == l {
			delete(want, d.Message)
		}
	}
	for m, l := range want {
		t.Errorf("no goha notice at line %d: %q\n%s", l, m, Format(r.Diagnostics))
	}
}
