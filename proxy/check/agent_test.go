package check

import (
	"context"
	"strings"
	"testing"
	"time"
)

// The texts HAProxy 2.6.12 reports for each kind of agent answer
// (measured with a fake agent: last_agt and agent_status in show stat).
func TestAgentReplyResult(t *testing.T) {
	tests := []struct {
		in, warn   string
		status     Status
		info       string
		admin, wgt string
		maxconn    string
	}{
		{in: "up\n", status: L7OK, info: "via agent : up"},
		{in: "UP 80%\n", status: L7OK, info: "via agent : UP", wgt: "80%"},
		{in: "down # broken thing\n", status: L7STS, info: "via agent : down (broken thing)"},
		{in: "fail\r\n", status: L7STS, info: "via agent : fail"},
		{in: "stopped,maint\n", status: L7STS, info: "via agent : stopped", admin: "maint"},
		{in: "drain 50%\n", status: CHECKED, admin: "drain", wgt: "50%"},
		{in: "Ready\n", status: CHECKED, admin: "ready"},
		{in: "up, maxconn:5 60%\n", status: L7OK, info: "via agent : up", wgt: "60%", maxconn: "5"},
		{in: "foo\n", status: CHECKED, info: "agent reports an error : foo"},
		{in: "down#x\n", status: CHECKED, info: "agent reports an error : down#x"},
		{in: "up foo # desc\n", status: L7OK, info: "via agent : up (foo)"},
		{in: "down foo # desc\n", status: L7STS, info: "via agent : down (desc)"},
		{in: "down foo\n", status: L7STS, info: "via agent : down (foo)"},
		{in: "x%\n", status: CHECKED, info: "agent reports an error : x%"},
		{in: "#only comment\n", status: CHECKED},
		{in: "\n", status: CHECKED},
		{in: "50%\n", warn: "Trailing garbage in weight string", status: CHECKED, info: "agent warns : Trailing garbage in weight string", wgt: "50%"},
		{in: "up\n", warn: "w", status: L7OK, info: "via agent : up (w)"},
		{in: "incomplete", status: L4CON, info: "Ignoring incomplete line from agent"},
	}
	for _, tc := range tests {
		r := ParseAgentReply([]byte(tc.in))
		if r.Admin != tc.admin || r.Weight != tc.wgt || r.Maxconn != tc.maxconn {
			t.Errorf("%q: parsed %+v", tc.in, r)
		}
		res := r.Result(tc.warn, L4CON, time.Millisecond)
		if res.Status != tc.status || res.Info != tc.info {
			t.Errorf("%q: %s %q, want %s %q", tc.in, res.Status.Name(), res.Info, tc.status.Name(), tc.info)
		}
	}
}

// agentScript answers each probe with the next reply, as AgentProbe would
// have read it.
type agentScript struct {
	replies []string
	i       int
}

func (a *agentScript) Probe(context.Context, string, Timeouts) Result {
	r := a.replies[min(a.i, len(a.replies)-1)]
	a.i++
	if r == "refused" {
		return Result{Status: L4CON, Info: "Connection refused"}
	}
	reply := ParseAgentReply([]byte(r))
	return Result{Status: CHECKED, Agent: &reply}
}

// An agent target with log-health-checks logs as HAProxy 2.6.12 does
// (measured): "Agent check for server ..." for each change of result,
// none for an answer without a health word; the admin part goes to
// RunnerOptions.Agent before the health counts.
func TestRunnerAgentLines(t *testing.T) {
	clock := newFakeClock()
	p := &agentScript{replies: []string{"refused", "up\n", "down\n", "drain\n", "up 50%\n"}}
	var lines, applied []string
	target := &Target{Backend: "be", Server: "s1", Addr: "a", Rise: 1, Fall: 1, Prober: p, LogHealthChecks: true, Agent: true,
		Intervals: Intervals{Inter: time.Second, FastInter: time.Second, DownInter: time.Second},
		Timeouts:  CheckTimeouts(time.Second, 0, 0)}
	r := mustRunner(t, []*Target{target}, RunnerOptions{Clock: clock,
		Agent: func(_ *Target, a AgentReply) string { applied = append(applied, a.Admin+"/"+a.Weight); return "" },
		Log:   func(l Line) { lines = append(lines, l.Text) }})
	r.Start()
	clock.Advance(4500 * time.Millisecond)
	r.Stop()
	want := []string{
		`Agent check for server be/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 1/1 UP.`,
		`Agent check for server be/s1 succeeded, reason: Layer7 check passed, code: 0, info: "via agent : up", check duration: 0ms, status: 1/1 UP.`,
		`Agent check for server be/s1 failed, reason: Layer7 wrong status, code: 0, info: "via agent : down", check duration: 0ms, status: 0/1 DOWN.`,
		`Server be/s1 is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`,
		`backend be has no server available!`,
		`Agent check for server be/s1 succeeded, reason: Layer7 check passed, code: 0, info: "via agent : up", check duration: 0ms, status: 1/1 UP.`,
		`Server be/s1 is UP. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines\ngot:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if strings.Join(applied, " ") != "/ / drain/ /50%" {
		t.Errorf("applied %q", applied)
	}
}
