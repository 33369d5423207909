package haproxycmd

import (
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// global `zero-warning`: a configuration with warnings (missing timeouts)
// is refused at start, exit status 1 and HAProxy's lines on stderr (the
// warnings, then the abort), as `haproxy -db -f` refuses it; without
// zero-warning both start with the same warnings.
func TestZeroWarningMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "w").Addr
	for _, zero := range []bool{true, false} {
		front := loopback.FreeAddr(t)
		cfg := "global\n    zero-warning\ndefaults\n    mode http\nfrontend fe\n    bind " + front + "\n    default_backend be\nbackend be\n    server s1 " + web + "\n"
		if !zero {
			cfg = strings.Replace(cfg, "    zero-warning\n", "", 1)
		}
		path := haproxytest.WriteConfig(t, cfg)
		// HAProxy: its exit status within 2 s (a started one is killed).
		cmd := exec.Command("haproxy", "-db", "-f", path)
		var errs haproxytest.Buffer
		cmd.Stderr = &errs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan int, 1)
		go func() { cmd.Wait(); exited <- cmd.ProcessState.ExitCode() }()
		haExit := "running"
		select {
		case code := <-exited:
			haExit = "exit " + strconv.Itoa(code)
		case <-time.After(2 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		// goha: what loading for a run says and decides.
		var goErrs haproxytest.Buffer
		_, code, ok := loadForRun(workerOptions{Files: []string{path}, Stderr: &goErrs, NoPidfile: true}, false)
		goExit := "running"
		if !ok {
			goExit = "exit " + strconv.Itoa(code)
		}
		h, g := zeroWarningLines(errs.String()), zeroWarningLines(goErrs.String())
		if haExit != goExit || h != g {
			t.Errorf("zero-warning %v: haproxy %s\n%s\ngoha %s\n%s", zero, haExit, h, goExit, g)
		}
		t.Logf("zero-warning %v: %s\n%s", zero, haExit, h)
	}
}

var stderrPrefix = regexp.MustCompile(`^\[(\w+)\] +\(\d+\) : `)

// zeroWarningLines is a daemon's stderr without its NOTICE lines (version
// and path), the pids masked.
func zeroWarningLines(out string) string {
	var keep []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(l, "[NOTICE]") {
			continue
		}
		keep = append(keep, stderrPrefix.ReplaceAllString(l, "[$1] : "))
	}
	return strings.Join(keep, "\n")
}
