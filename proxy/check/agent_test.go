package check

import (
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
