package keepalivedcmd

import (
	"bytes"
	"log/syslog"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestLoggerSyslogAndConsole checks the ident, the facility (daemon, or
// local N with -S N), -G and the console format of -l.
func TestLoggerSyslogAndConsole(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "log")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Skip(err)
	}
	defer conn.Close()
	old := openSyslog
	defer func() { openSyslog = old }()
	openSyslog = func(p syslog.Priority, ident string) (*syslog.Writer, error) {
		return syslog.Dial("unixgram", sock, p, ident)
	}
	read := func() string {
		conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		b := make([]byte, 512)
		n, err := conn.Read(b)
		if err != nil {
			return ""
		}
		return string(b[:n])
	}
	facility := func(s string) *string { return &s }
	for _, tc := range []struct {
		args string // the command line these options stand for
		o    Options
		pri  string // <facility*8+info>
	}{
		{"", Options{}, "<30>"},                                // daemon.info
		{"-S 3", Options{LogFacility: facility("3")}, "<158>"}, // local3.info
		{"-S 0", Options{LogFacility: facility("0")}, "<134>"}, // local0.info
		{"-G", Options{NoSyslog: true}, ""},                    // no syslog
		{"-l -S 7", Options{LogConsole: true, LogFacility: facility("7")}, "<190>"},
	} {
		o := tc.o
		var console bytes.Buffer
		lg, err := newLogger(o, &console)
		if err != nil {
			t.Fatal(err)
		}
		lg.printf("(lb_ha) Entering MASTER STATE")
		lg.close()
		got := ""
		if tc.pri != "" {
			got = read()
		}
		if tc.pri != "" && (!strings.HasPrefix(got, tc.pri) || !strings.Contains(got, " Keepalived_vrrp[") || !strings.HasSuffix(strings.TrimSpace(got), "]: (lb_ha) Entering MASTER STATE")) {
			t.Errorf("%v: syslog %q, want priority %s, ident Keepalived_vrrp", tc.args, got, tc.pri)
		}
		wantConsole := o.LogConsole
		if re := regexp.MustCompile(`^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: \(lb_ha\) Entering MASTER STATE\n$`); wantConsole != re.MatchString(console.String()) {
			t.Errorf("%v: console %q", tc.args, console.String())
		}
	}
	if _, err := newLogger(Options{LogFacility: facility("8")}, nil); err == nil {
		t.Error("-S 8 accepted")
	}
}
