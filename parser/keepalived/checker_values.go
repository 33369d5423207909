package keepalived

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Value checks of the checker's virtual_server and real_server keywords
// whose values nothing else in the model needs: keepalived 2.2.7 reports a
// bad value (with its number reader's message first) and ignores the line.

// Timer bounds in microseconds, as keepalived reads checker timers.
const (
	timerMax     = math.MaxUint64 - 1 // TIMER_MAXIMUM
	timerMaxUint = math.MaxUint32     // UINT_MAX, connect_timeout's bound
)

// readTimer mirrors keepalived's read_timer (read_decimal_unsigned_long
// with 6 decimal places): the value in microseconds, or the messages why it
// is refused. More than 6 decimals are reported but the value rounded and
// kept.
func readTimer(s string, lo, hi uint64) (uint64, []string, bool) {
	var msgs []string
	if strings.HasPrefix(s, "-") {
		return 0, []string{fmt.Sprintf("negative number '%s'", s)}, false
	}
	intPart, frac, hasDP := strings.Cut(s, ".")
	roundUp := false
	if hasDP && len(frac) > 6 {
		msgs = append(msgs, fmt.Sprintf("number '%s' has too many decimal places", s))
		roundUp = frac[6] >= '5'
		frac = frac[:6]
	}
	digits := intPart + frac + strings.Repeat("0", 6-len(frac))
	v, ok, overflow := parseStrtoull(digits)
	switch {
	case !ok:
		return 0, append(msgs, fmt.Sprintf("invalid number '%s'", s)), false
	case overflow:
		return 0, append(msgs, fmt.Sprintf("number '%s' outside unsigned decimal range", s)), false
	}
	if roundUp {
		v++
	}
	if v < lo || v > hi {
		return 0, append(msgs, fmt.Sprintf("number '%s' outside range [%d.%06d, %d.%06d]", s, lo/1e6, lo%1e6, hi/1e6, hi%1e6)), false
	}
	return v, msgs, true
}

// parseStrtoull reads s as strtoull(s, &end, 10) does, requiring the whole
// string: leading blanks and a sign are taken; an empty string is 0.
func parseStrtoull(s string) (v uint64, ok, overflow bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	if t == "" {
		// no digits: only the empty string is read whole
		return 0, s == "", false
	}
	t = strings.TrimPrefix(t, "+")
	if t == "" || strings.TrimLeft(t, "0123456789") != "" {
		return 0, false, false
	}
	v, err := strconv.ParseUint(t, 10, 64)
	if err != nil {
		return 0, true, true
	}
	return v, true, false
}

// timerKeyword: a checker timer keyword, its bounds and the message after
// a refused value ("" when keepalived prints only the number's message).
type timerKeyword struct {
	lo, hi uint64
	msg    string // %s = the value
}

var vsTimers = map[string]timerKeyword{
	"delay_loop":         {1, timerMax, "virtual server delay loop '%s' invalid - ignoring"},
	"delay_before_retry": {0, timerMax, "virtual server delay before retry '%s' invalid - ignoring"},
	"warmup":             {0, timerMax, ""},
	"connect_timeout":    {1, timerMaxUint, "virtual server connect_timeout %s invalid - ignoring"},
}

var rsTimers = map[string]timerKeyword{
	"delay_loop":         {1, timerMax, "real server delay_loop '%s' invalid - ignoring"},
	"delay_before_retry": {0, timerMax, ""},
	"warmup":             {0, timerMax, ""},
	"connect_timeout":    {1, timerMaxUint, "real server connect_timeout %s invalid - ignoring"},
}

// checkTimer reports a refused timer value of c against k.
func (t *typer) checkTimer(c *Node, k timerKeyword) {
	if !t.need(c, 1) {
		return
	}
	_, msgs, ok := readTimer(c.Arg(0), k.lo, k.hi)
	for _, m := range msgs {
		t.number(c.Pos, m)
	}
	if !ok && k.msg != "" {
		t.errorf(c.Pos, k.msg, c.Arg(0))
	}
}

// checkerValue checks the value of a virtual_server (rs false) or
// real_server (rs true) keyword the model does not keep. It reports false
// when keepalived stops parsing (a missing parameter).
func (t *typer) checkerValue(c *Node, rs bool) bool {
	timers, who := vsTimers, "virtual_server"
	if rs {
		timers, who = rsTimers, "real_server"
	}
	if k, ok := timers[c.Name()]; ok {
		t.checkTimer(c, k)
		return !t.aborted
	}
	switch name := c.Name(); name {
	case "retry":
		if !t.need(c, 1) {
			return false
		}
		if _, msg := readUnsigned(c.Arg(0), 1, math.MaxUint32); msg != "" {
			t.number(c.Pos, msg)
			t.errorf(c.Pos, "retry value invalid - %s", c.Arg(0))
		}
	case "smtp_alert":
		if len(c.Args) > 0 && readBool(c.Arg(0)) < 0 {
			t.errorf(c.Pos, "Invalid %s smtp_alert parameter %s", who, c.Arg(0))
		}
	case "virtualhost":
		if len(c.Args) == 0 {
			server := "virtual server"
			if rs {
				server = "real server"
			}
			t.errorf(c.Pos, "%s virtualhost missing", server)
		}
	case "uthreshold", "lthreshold":
		if !t.need(c, 1) {
			return false
		}
		if _, msg := readUnsigned(c.Arg(0), 0, math.MaxUint32); msg != "" {
			t.number(c.Pos, msg)
			t.errorf(c.Pos, "Invalid real_server %s '%s' - ignoring", name, c.Arg(0))
		}
	case "inhibit_on_failure", "alpha":
		// a real server's flags take an optional boolean; a virtual
		// server's take none (extra words are ignored)
		if rs && len(c.Args) > 0 && readBool(c.Arg(0)) < 0 {
			t.errorf(c.Pos, "Invalid %s parameter %s", name, c.Arg(0))
		}
	}
	return true
}
