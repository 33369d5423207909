package check

import (
	"errors"

	"github.com/goha-lb/goha/parser/haproxy"
)

// The tests write check lines as words: these helpers type them with the
// parser and compile the steps, as gohaproxy does.

// parseTCPCheckRule compiles the words after "tcp-check".
func parseTCPCheckRule(words []string) (TCPRule, error) {
	return NewTCPRule(haproxy.ParseTCPCheckStep(haproxy.Pos{}, append([]string{"tcp-check"}, words...)))
}

func httpCheckStep(verb string, words []string) haproxy.CheckStep {
	return haproxy.ParseHTTPCheckStep(haproxy.Pos{}, append([]string{"http-check", verb}, words...))
}

// parseExpect compiles the words after "http-check expect".
func parseExpect(words []string) (Expect, error) {
	st := httpCheckStep("expect", words)
	if st.Invalid != "" {
		return Expect{}, errors.New(st.Invalid)
	}
	return NewExpect(st.Expect)
}

// applySend applies the words after "http-check send" to r.
func applySend(r *ProbeRequest, words []string) error {
	st := httpCheckStep("send", words)
	r.ApplySend(st.Send)
	if st.Invalid != "" {
		return errors.New(st.Invalid)
	}
	return nil
}

// parseConnect reads the words after "http-check connect".
func parseConnect(words []string) (Connect, error) {
	st := httpCheckStep("connect", words)
	if st.Invalid != "" {
		return Connect{}, errors.New(st.Invalid)
	}
	return Connect{Port: st.Connect.Port, Addr: st.Connect.Addr}, nil
}
