package check

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"time"
)

// AgentReply is one line of an agent check's answer, read as HAProxy
// 2.6's tcpcheck_agent_expect_reply reads it: words separated by spaces,
// tabs or commas, up to the first CR or LF; a '#' starts a description.
// Among the words, the last of each kind wins (case does not matter):
// a health word (up, down, stopped, fail), an admin word (ready, drain,
// maint), a weight ("75%": starts with a digit and holds a '%') and
// "maxconn:N". The first other word is kept as an error.
type AgentReply struct {
	Health  string // as written ("UP" stays "UP"); "" = none
	Admin   string // lower case; "" = none
	Weight  string // "75%"
	Maxconn string // what follows "maxconn:"
	Err     string // first unknown word
	Desc    string // after '#', leading blanks skipped
	// Incomplete: no CR or LF before the connection ended; HAProxy then
	// ignores the answer (the status stays what it was).
	Incomplete bool
}

// ParseAgentReply reads the agent's answer (the bytes received).
func ParseAgentReply(b []byte) AgentReply {
	end := bytes.IndexAny(b, "\r\n")
	if i := bytes.IndexByte(b, 0); i >= 0 && (end < 0 || i < end) {
		end = -1 // HAProxy stops at a NUL as at the end of the data
		b = b[:i]
	}
	if end < 0 {
		return AgentReply{Incomplete: true}
	}
	line := string(b[:end])
	var r AgentReply
	for i := 0; i < len(line); {
		c := line[i]
		if c == ' ' || c == '\t' || c == ',' {
			i++
			continue
		}
		if c == '#' {
			r.Desc = strings.TrimLeft(line[i+1:], " \t")
			break
		}
		j := i + 1
		for j < len(line) && line[j] != ' ' && line[j] != '\t' && line[j] != ',' {
			j++
		}
		w := line[i:j]
		i = j
		switch lw := strings.ToLower(w); {
		case lw == "up" || lw == "down" || lw == "stopped" || lw == "fail":
			r.Health = w
		case lw == "ready" || lw == "drain" || lw == "maint":
			r.Admin = lw
		case w[0] >= '0' && w[0] <= '9' && strings.Contains(w, "%"):
			r.Weight = w
		case strings.HasPrefix(lw, "maxconn:"):
			r.Maxconn = w[len("maxconn:"):]
		default:
			if r.Err == "" {
				r.Err = w
			}
		}
	}
	return r
}

// Result is what the answer reports once its admin, weight and maxconn
// parts were applied; warn is the first message that applying them gave
// ("" = none). prev is the agent's previous status, which an incomplete
// line keeps.
func (r AgentReply) Result(warn string, prev Status, d time.Duration) Result {
	res := Result{Status: CHECKED, Duration: d, ShowInfo: true}
	switch {
	case r.Incomplete:
		res.Status, res.Info = prev, "Ignoring incomplete line from agent"
	case r.Health != "":
		if strings.EqualFold(r.Health, "up") {
			res.Status = L7OK
		} else {
			res.Status = L7STS
		}
		res.ShowCode = true
		msg := r.Desc
		if msg == "" || res.Status == L7OK {
			if r.Err != "" {
				msg = r.Err
			} else if warn != "" {
				msg = warn
			}
		}
		res.Info = "via agent : " + r.Health
		if msg != "" {
			res.Info += " (" + msg + ")"
		}
	case r.Err != "":
		res.Info = "agent reports an error : " + r.Err
	case warn != "":
		res.Info = "agent warns : " + warn
	}
	return res
}

// AgentProbe is HAProxy's agent-check: connect to the agent, send Send
// (agent-send) if any, and read one line.
type AgentProbe struct {
	Send []byte
	// Dial, when set, replaces the default dialer (keepalive settings).
	Dial func(context.Context, string, string) (net.Conn, error)
}

// Probe connects and reads the agent's line (until CR/LF, the end of the
// connection or the check timeout). Connection failures come back as
// their Layer4 results, which do not change an agent's health.
func (p AgentProbe) Probe(ctx context.Context, addr string, t Timeouts) Result {
	start := time.Now()
	c, res, ok := dial(ctx, p.Dial, addr, t, start)
	if !ok {
		return res
	}
	defer c.Close()
	c.SetDeadline(start.Add(t.Total))
	if len(p.Send) > 0 {
		if _, err := c.Write(p.Send); err != nil {
			return Result{Status: SOCKERR, Info: errInfo(err), Duration: time.Since(start)}
		}
	}
	var buf []byte
	tmp := make([]byte, 1024)
	for len(buf) < 16384 {
		n, err := c.Read(tmp)
		buf = append(buf, tmp[:n]...)
		if bytes.ContainsAny(buf, "\r\n") {
			break
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return Result{Status: L7TOUT, Duration: time.Since(start)}
			}
			break
		}
	}
	reply := ParseAgentReply(buf)
	return Result{Status: CHECKED, Duration: time.Since(start), Agent: &reply}
}

// agentCounts says whether an agent's result moves its health: only a
// health word does (connection failures and timeouts do not, HAProxy
// leaves connectivity to the regular check).
func agentCounts(r Result) bool { return r.Status == L7OK || r.Status == L7STS }
