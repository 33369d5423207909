package haproxy

import "fmt"

// StatsRule is one `stats http-request { allow | deny | auth [realm <realm>] }
// [ { if | unless } <condition> ]` line: a rule run on the requests for the
// stats page only.
type StatsRule struct {
	Pos    Pos
	Action string // "allow", "deny" or "auth"
	Realm  string // auth's realm ("" = HAProxy's default for the page)
	Cond   *Condition
}

// ParseStatsRule reads a `stats http-request` line the proxy keeps in
// Stats.Raw (the stats section parser stores it untyped).
func ParseStatsRule(st Statement) (StatsRule, error) {
	w := st.Args
	if len(w) < 3 || w[0] != "stats" || w[1] != "http-request" {
		return StatsRule{}, fmt.Errorf("not a stats http-request line")
	}
	r := StatsRule{Pos: st.Pos, Action: w[2]}
	rest := w[3:]
	switch r.Action {
	case "allow", "deny":
	case "auth":
		if len(rest) >= 2 && rest[0] == "realm" {
			r.Realm, rest = rest[1], rest[2:]
		}
	default:
		return StatsRule{}, fmt.Errorf("'stats http-request %s' is not an allow, deny or auth rule", r.Action)
	}
	cond, err := parseCondition(rest)
	if err != nil {
		return StatsRule{}, err
	}
	r.Cond = cond
	return r, nil
}
