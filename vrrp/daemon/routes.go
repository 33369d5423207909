package daemon

import ka "github.com/goha-lb/goha/parser/keepalived"

// Route and Rule are the parser's typed virtual_routes/static_routes and
// virtual_rules/static_rules lines (parser/keepalived/routes.go holds
// keepalived 2.2.7's grammar): the daemon installs them and never re-reads
// their words.
type (
	Route = ka.Route
	Rule  = ka.Rule
)

// The rtnetlink values the daemon's netlink requests and data dump use.
const (
	rtnUnicast       = ka.RTNUnicast
	frActGoto        = ka.FRActGoto
	frActBlackhole   = ka.FRActBlackhole
	frActUnreachable = ka.FRActUnreachable
	frActProhibit    = ka.FRActProhibit
	frActNop         = ka.FRActNop
	tableMain        = ka.TableMain
)
