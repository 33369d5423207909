package daemon

import (
	"io/fs"
	"slices"
	"testing"
)

// enable_script_security and notify scripts, as keepalived 2.2.7 in a
// namespace: a notify program others may write is not run, logged once per
// use ("Unsafe permissions found for script '...' - disabling.").
func TestNotifyScriptSecurity(t *testing.T) {
	old := scriptMode
	scriptMode = func(p string) (fs.FileMode, bool) {
		switch p {
		case "/x/insecure.sh":
			return 0o777, true
		case "/x/ok.sh":
			return 0o755, true
		}
		return 0, false
	}
	t.Cleanup(func() { scriptMode = old })
	for _, security := range []bool{false, true} {
		global := "script_user root"
		if security {
			global += "\n enable_script_security"
		}
		p := t.TempDir() + "/k.conf"
		conf := "global_defs {\n " + global + "\n}\nvrrp_sync_group G {\n group {\n  A\n }\n notify /x/insecure.sh\n}\n" +
			"vrrp_instance A {\n interface ens160\n virtual_router_id 77\n notify /x/insecure.sh\n notify_backup \"/x/insecure.sh arg\"\n notify_master /x/ok.sh\n" +
			" virtual_ipaddress {\n  10.77.0.100/24\n }\n}\n"
		if err := writeFile(p, conf); err != nil {
			t.Fatal(err)
		}
		c, errs := MapConfig(lintFile(t, p, nil), fakePrimary(map[string]string{"ens160": "10.77.0.1"}))
		if len(errs) > 0 || len(c.Instances) != 1 {
			t.Fatal(errs)
		}
		n, g := c.Instances[0].Notify, c.SyncGroups[0].Notify
		var unsafe int
		for _, l := range c.Notices {
			if l == "Unsafe permissions found for script '/x/insecure.sh' - disabling." {
				unsafe++
			}
		}
		if !security {
			if n.Generic == "" || n.Backup == "" || g.Generic == "" || unsafe != 0 {
				t.Errorf("without enable_script_security: %+v %+v %q", n, g, c.Notices)
			}
			continue
		}
		if n.Generic != "" || n.Backup != "" || g.Generic != "" || n.Master != "/x/ok.sh" || unsafe != 3 {
			t.Errorf("with enable_script_security: instance %+v group %+v notices %q", n, g, c.Notices)
		}
		if !slices.Contains(c.Notices, "Unsafe permissions found for script '/x/insecure.sh' - disabling.") {
			t.Errorf("notices %q", c.Notices)
		}
	}
}

// A tracked vrrp_script whose program does not exist is disabled by the
// parser as keepalived 2.2.7 disables it ("Disabling track script X since
// not found/accessible"), with or without enable_script_security: the
// runner neither runs it nor lets it weigh on the instance or its group.
func TestMissingTrackScriptNotRun(t *testing.T) {
	for _, security := range []bool{false, true} {
		global := "script_user root"
		if security {
			global += "\n enable_script_security"
		}
		p := t.TempDir() + "/k.conf"
		conf := "global_defs {\n " + global + "\n}\nvrrp_script gone {\n script \"/nonexistent/goha/check.sh\"\n weight -50\n}\n" +
			"vrrp_script ok {\n script /bin/true\n}\n" +
			"vrrp_sync_group G {\n group {\n  A\n }\n track_script {\n  gone\n }\n}\n" +
			"vrrp_instance A {\n interface ens160\n virtual_router_id 77\n track_script {\n  gone\n  ok\n }\n" +
			" virtual_ipaddress {\n  10.77.0.100/24\n }\n}\n"
		if err := writeFile(p, conf); err != nil {
			t.Fatal(err)
		}
		c, errs := MapConfig(lintFile(t, p, nil), fakePrimary(map[string]string{"ens160": "10.77.0.1"}))
		if len(errs) > 0 || len(c.Instances) != 1 {
			t.Fatal(errs)
		}
		if _, ok := c.Scripts["gone"]; ok {
			t.Errorf("security %v: the missing script would be run: %+v", security, c.Scripts)
		}
		if _, ok := c.Scripts["ok"]; !ok {
			t.Errorf("security %v: the existing script was dropped: %+v", security, c.Scripts)
		}
		for _, tr := range c.Instances[0].TrackScripts {
			if tr.Name == "gone" {
				t.Errorf("security %v: the instance still tracks the missing script: %+v", security, c.Instances[0].TrackScripts)
			}
		}
	}
}
