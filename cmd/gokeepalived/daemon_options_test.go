package main

import (
	"slices"
	"testing"
)

// TestDaemonOptions: the command line reaches the daemon as keepalived
// reads it: -n, -l, -D, -G, -S (as typed, checked by the daemon when it
// opens its log), pid files, the ignored options' warnings and the
// command line itself.
func TestDaemonOptions(t *testing.T) {
	args := []string{"-nlD", "-G", "-S", "3", "-p", "/run/a.pid", "-r", "/run/b.pid", "-f", "k.conf", "-i", "lb1", "-d", "--metrics-address=127.0.0.1:9650"}
	o, err := parseArgs(args)
	if err != nil {
		t.Fatal(err)
	}
	d := daemonOptions(o, args)
	if !d.DontFork || !d.LogConsole || !d.LogDetail || !d.NoSyslog || d.LogFacility == nil || *d.LogFacility != "3" ||
		d.PidFile != "/run/a.pid" || d.VRRPPidFile != "/run/b.pid" || d.File != "k.conf" || d.ConfigID != "lb1" ||
		d.MetricsAddr != "127.0.0.1:9650" || !slices.Equal(d.Args, args) ||
		!slices.Equal(d.Notices, []string{"goha: command line option '-d' is accepted but not supported yet: ignored."}) {
		t.Errorf("%+v", d)
	}
	o, _ = parseArgs(nil)
	d = daemonOptions(o, nil)
	if d.DontFork || d.LogConsole || d.LogDetail || d.NoSyslog || d.LogFacility != nil || d.PidFile != "" || d.File != "/etc/keepalived/keepalived.conf" {
		t.Errorf("defaults: %+v", d)
	}
	// An empty -S is still an -S (the daemon refuses it), not "no -S".
	o, _ = parseArgs([]string{"-S", ""})
	if d = daemonOptions(o, nil); d.LogFacility == nil || *d.LogFacility != "" {
		t.Errorf("-S '': %+v", d)
	}
}
