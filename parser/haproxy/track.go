package haproxy

import (
	"fmt"
	"strconv"
	"strings"
)

// SCAction is a sticky-counter action of an http-request or tcp-request
// rule: track-sc<n>, sc-inc-gpc0/1(<n>), sc-inc-gpc(<idx>,<n>),
// sc-set-gpt0(<n>) and sc-set-gpt(<idx>,<n>).
type SCAction struct {
	Verb  string // "track-sc", "sc-inc-gpc0", "sc-inc-gpc1", "sc-inc-gpc", "sc-set-gpt0", "sc-set-gpt"
	SC    int    // the sticky counter, 0..2
	Index int    // sc-inc-gpc / sc-set-gpt: the array element
	Key   string // track-sc: the key's sample expression
	Table string // track-sc: `table <name>` ("": the proxy's own)
	Value string // sc-set-gpt*: the value (an integer or a sample expression)
}

// maxStickCounters is HAProxy 2.6's MAX_SESS_STKCTR.
const maxStickCounters = 3

// ParseSCAction reads a rule's action word and its arguments (before any
// condition) when the action is a sticky-counter one; ok is false for
// other actions. msg is HAProxy 2.6's message for what it refuses.
func ParseSCAction(action string, args []string) (a SCAction, ok bool, msg string) {
	if verb, idx, sc, msg, ok := parseCounterWord(action); ok { // counter_words.go
		a.Verb, a.Index, a.SC = verb, idx, sc
		if msg != "" {
			return a, true, msg + "."
		}
		return a.counterValue(args)
	}
	if name := RuleActionName(action); name == "track-sc" {
		a.Verb = name
		n, _ := strconv.Atoi(strings.TrimPrefix(action, "track-sc"))
		a.SC = n
		switch {
		case n >= maxStickCounters:
			return a, true, fmt.Sprintf("%d track-sc number exceeding %d (MAX_SESS_STKCTR-1) value.", n, maxStickCounters-1)
		case len(args) == 0:
			return a, true, "missing fetch method."
		}
		a.Key = args[0]
		if !fetchSet[fetchName(a.Key)] {
			return a, true, fmt.Sprintf("unknown fetch method '%s'.", fetchName(a.Key))
		}
		rest := args[1:]
		if len(rest) > 0 && rest[0] == "table" {
			if len(rest) < 2 {
				return a, true, "missing table name."
			}
			a.Table, rest = rest[1], rest[2:]
		}
		if len(rest) > 0 {
			return a, true, fmt.Sprintf("unexpected argument '%s'.", rest[0])
		}
		return a, true, ""
	}
	return a, false, ""
}

// counterValue reads the value of an sc-set-gpt* action (an integer or a
// sample expression).
func (a SCAction) counterValue(args []string) (SCAction, bool, string) {
	if strings.HasPrefix(a.Verb, "sc-set-gpt") && len(args) > 0 {
		a.Value = args[0]
		if _, err := strconv.ParseInt(a.Value, 10, 64); err != nil && !fetchSet[fetchName(a.Value)] {
			return a, true, fmt.Sprintf("unknown fetch method '%s'.", fetchName(a.Value))
		}
	}
	return a, true, ""
}
