package haproxytest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestStatRows(t *testing.T) {
	out := "# pxname,svname,scur,status,req_tot,addr,check_status\n" +
		"fe,FRONTEND,1,OPEN,4,,\n" +
		"be,s1,0,UP,3,127.0.0.1:8081,* L4OK\n"
	got := StatRows(out)
	if len(got) != 2 {
		t.Fatalf("%d rows: %q", len(got), got)
	}
	for i, want := range []map[string]string{
		{"pxname": "fe", "svname": "FRONTEND", "scur": "1", "req_tot": "(not compared)", "addr": "", "qcur": "?"},
		{"pxname": "be", "svname": "s1", "status": "UP", "req_tot": "3", "addr": "127.0.0.1", "check_status": "L4OK"},
	} {
		for col, v := range want {
			if !strings.Contains(" "+got[i]+" ", " "+col+"="+v+" ") {
				t.Errorf("row %d: no %s=%s in %q", i, col, v, got[i])
			}
		}
	}
}

func TestServersStateAndSettled(t *testing.T) {
	// Fields 10 (seconds since the last change), 14 (check state) and 19
	// (port) of a show servers state row.
	row := func(checkState int) string {
		return fmt.Sprintf("3 be 1 s1 127.0.0.1 2 0 1 1 123 6 2 0 %d 0 0 0 - 8081 - 0 0 - - 0", checkState)
	}
	out := "1\n# be_id be_name srv_id ...\n" + row(6) + "\n"
	got := ServersState(out)
	want := "3 be 1 s1 127.0.0.1 2 0 1 1 - 6 2 0 6 0 0 0 - - - 0 0 - - 0"
	if got != want {
		t.Errorf("ServersState\n got %q\nwant %q", got, want)
	}
	for _, tc := range []struct {
		state string
		busy  bool
	}{{got, false}, {ServersState(row(6) + "\n" + row(7)), true}, {"", false}} {
		if b := checkInProgress(tc.state); b != tc.busy {
			t.Errorf("checkInProgress(%q) = %v, want %v", tc.state, b, tc.busy)
		}
	}
}

func TestStatsCmdAndShowInfoField(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "stats")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			cmd, _ := bufio.NewReader(c).ReadString('\n')
			if cmd == "show info\n" {
				io.WriteString(c, "Name: HAProxy\nnode: lb-1\nCurrConns: 0\n")
			} else {
				io.WriteString(c, "Unknown command: "+cmd)
			}
			c.Close()
		}
	}()
	if got := StatsCmd(t, sock, "help"); got != "Unknown command: help\n" {
		t.Errorf("StatsCmd = %q", got)
	}
	for field, want := range map[string]string{"node": "lb-1", "CurrConns": "0", "Uptime": ""} {
		if got := ShowInfoField(t, sock, field); got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
}

func TestBuffer(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); fmt.Fprint(&b, "ab") }()
	}
	wg.Wait()
	if got := b.String(); got != "abababab" {
		t.Errorf("Buffer = %q", got)
	}
}

func TestWriteConfigAndStartQuiet(t *testing.T) {
	path := WriteConfig(t, "global\n")
	if b, err := os.ReadFile(path); err != nil || string(b) != "global\n" {
		t.Fatalf("config file %q, %v", b, err)
	}
	// A stand-in daemon that records its arguments and runs until killed.
	dir := t.TempDir()
	bin, args := filepath.Join(dir, "daemon"), filepath.Join(dir, "args")
	os.WriteFile(bin, []byte("#!/bin/sh\necho \"$@\" > "+args+".tmp && mv "+args+".tmp "+args+"\nexec sleep 30\n"), 0o755)
	cmd := StartQuiet(t, bin, path)
	var got []byte
	for i := 0; i < 100 && len(got) == 0; i++ {
		time.Sleep(20 * time.Millisecond)
		got, _ = os.ReadFile(args)
	}
	if string(got) != "-db -q -f "+path+"\n" {
		t.Errorf("daemon started with %q", got)
	}
	if cmd.ProcessState != nil {
		t.Errorf("daemon exited before the test ended: %v", cmd.ProcessState)
	}
}
