package check

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// The reporting options of an `http-check expect` rule, as HAProxy 2.6's
// tcpcheck_eval_expect_http applies them (measured on 2.6.12): ok-status
// (the last expect's, when every rule passed), error-status and on-error
// (the failing rule's status and info), on-success (the last expect's
// info, shown in the log line), and the comment appended to a failure's
// info. status-code, min-recv, tout-status and log-format on-success and
// on-error texts are refused so that proxy/haproxycfg reports the rule.

// expectOpts is what an expect rule changes in the result.
type expectOpts struct {
	okStatus, errStatus Status // statusUnset: HAProxy's defaults
	onSuccess, onError  string // literal texts ("" when not given)
}

func (out *Expect) setOptions(e haproxy.CheckExpect) error {
	out.opts = expectOpts{okStatus: statusUnset, errStatus: statusUnset, onSuccess: e.OnSuccess, onError: e.OnError}
	switch {
	case e.StatusCode != "":
		return fmt.Errorf("http-check expect: status-code '%s' not supported", e.StatusCode)
	case e.MinRecv >= 0:
		return errors.New("http-check expect: min-recv not supported")
	case e.ToutStatus != "":
		return fmt.Errorf("http-check expect: tout-status '%s' not supported", e.ToutStatus)
	case strings.Contains(e.OnSuccess, "%"):
		return fmt.Errorf("http-check expect: on-success '%s' not supported (literal text is)", e.OnSuccess)
	case strings.Contains(e.OnError, "%"):
		return fmt.Errorf("http-check expect: on-error '%s' not supported (literal text is)", e.OnError)
	}
	if e.OKStatus != "" {
		st, ok := okStatuses[strings.ToUpper(e.OKStatus)]
		if !ok {
			return fmt.Errorf("http-check expect: ok-status '%s' not supported", e.OKStatus)
		}
		out.opts.okStatus = st
	}
	if e.ErrorStatus != "" {
		st, ok := errStatuses[strings.ToUpper(e.ErrorStatus)]
		if !ok {
			return fmt.Errorf("http-check expect: error-status '%s' not supported", e.ErrorStatus)
		}
		out.opts.errStatus = st
	}
	return nil
}

// failure is the result of a failing expect rule: desc is HAProxy's text
// for it (the reason phrase, or the content check's message) and def its
// default status.
func (e Expect) failure(code int, def Status, desc string) Result {
	st := def
	if e.opts.errStatus != statusUnset {
		st = e.opts.errStatus
	}
	if e.opts.onError != "" {
		desc = e.opts.onError
	}
	// an error-status L7OKC is a conditional pass that still shows its info
	return Result{Status: st, Code: code, Info: desc + e.commentText(), ShowInfo: st.Passed()}
}

// success is the result when every rule passed and e was the last one.
func (e Expect) success(code int, phrase string) Result {
	r := Result{Status: L7OK, Code: code, Info: phrase}
	if e.opts.okStatus != statusUnset {
		r.Status, r.Info = e.opts.okStatus, ""
	}
	if e.opts.onSuccess != "" {
		r.Info, r.ShowInfo = e.opts.onSuccess, true
	}
	return r
}
