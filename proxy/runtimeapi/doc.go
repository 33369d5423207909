// Package runtimeapi is HAProxy's stats socket (the "runtime API" or CLI)
// for gohaproxy: line commands over a unix socket, `;`-separated, with
// HAProxy 2.6's output formats and messages.
//
// The proxy (or the integrator) implements Source; this package never
// imports proxy. Commands: help [words], prompt, quit, show info
// [typed|json|float], show stat [typed|json] [up|no-maint]
// [<proxy> <type> <sid>] (typed and json: HAProxy's field positions, tags
// and types, the last of the two words wins; `desc`, whose texts goha
// does not carry, is refused with a message, never answered without
// them), show schema json, show servers state [backend], show backend,
// show version, show cli level, clear counters [all] (with a Source that
// is a CounterClearer), disable|enable frontend F (a FrontendController),
// get weight B/S, disable server B/S, enable server B/S, set server B/S
// state ready|drain|maint, set server B/S weight N[%], set weight B/S N[%],
// set server B/S addr A [port P] | check-addr A [port P] | check-port P |
// health up|stopping|down
// (a ServerController) | agent up|down | agent-addr A | agent-port P |
// agent-send S (an AgentController, on servers with an agent-check) |
// fqdn (always "no resolution is configured": goha resolves no server
// name at run time), set maxconn global|frontend F|server B/S N and set
// rate-limit http-compression global N (a Limiter; connections, sessions
// and ssl-sessions accept only 0: goha limits no rate), show servers conn
// [backend], show resolvers [id] (a ResolversLister: the configuration's
// sections with their counters, then the "default" section HAProxy builds
// from /etc/resolv.conf), shutdown sessions server
// B/S (a SessionKiller), show sess and shutdown session <id> (a
// StreamSource; sess_cmds.go: the one-line list, ids read as C strtoul;
// the detailed dump of `show sess all|<id>` is refused as not supported),
// operator, user; show map|acl [file], get map|acl, add map|acl, set map,
// del map|acl, clear map|acl (maps.go, over the optional Patterns
// interface) and their versions: prepare map|acl, commit map|acl @<ver>,
// add|show|clear ... @<ver> (maps_versions.go); the TLS certificate
// commands new|set|commit|abort|del ssl cert, show ssl cert, add|del|show
// ssl crt-list (ssl_cmds.go, a CertSource; payloads after "<<"),
// new|set|commit|abort|del|show ssl ca-file|crl-file (ssl_cafile.go), set ssl
// tls-key and show tls-keys (tls_keys.go); get var, set timeout cli, show
// env, show cli sockets, show cache (misc_cmds.go); shutdown frontend (a
// FrontendStopper); show startup-logs, show events, show trace, trace
// (diag_cmds.go); show errors [<px>] [request|response] (errors_cmd.go, an
// ErrorSource); expert-mode and experimental-mode (misc_cmds.go). Anything
// else is answered like HAProxy does for an unknown command (its usage
// list, with its suggestions: usage.go).
//
// # Protocol, as HAProxy 2.6.12 behaves
//
//   - Without `prompt`, the server reads one line, runs each `;`-separated
//     command, prints its output followed by an empty line, and closes.
//   - `prompt` toggles interactive mode: after every command's output and
//     empty line it prints "> " and waits for the next line, until `quit`,
//     EOF or the idle timeout (`stats timeout`, default 10s).
//   - A socket's level defaults to operator (`stats socket PATH` without
//     `level`): enable/disable/set server then answer "Permission denied".
//     The seed configuration's socket is such a socket.
//
// # Wiring
//
// Listen serves a Source on a unix socket with the `stats socket` line's
// options (level, mode, timeout); ExampleListen runs one.
//
// # Filling a Source from proxy's state (for the integrator)
//
//	proxy.Stats          -> Counters
//	  Sessions           -> STot (ConnTot too for frontends)
//	  CurSessions        -> SCur
//	  BytesIn/BytesOut   -> BIn/BOut
//	  Requests           -> ReqTot
//	  HRsp1xx..HRspOther -> HRsp[0..5]
//	  ConnErrors         -> ECon;  RespErrors -> EResp
//	  Retries            -> WRetr; Redispatches -> WRedis
//	  Queue              -> QCur
//	LastSess: -1 when never used (HAProxy prints -1).
//	balance.Server Up/Weight/Backup -> Server.Up/Weight/Backup; the
//	configured weight -> InitialWeight; `disabled` -> ConfigDisabled and
//	Maint at start. SetServerState(maint|drain|ready) and SetServerWeight
//	map to proxy.UpdateServerStatus; HAProxy also logs "Server B/S is going DOWN
//	for maintenance..." at that point (the Source's job). When a backend
//	loses its last usable server, HAProxy resets its lastchg and counts a
//	chkdown (Backend.LastChange, Backend.Downs).
//
// # Messages
//
// ServerStateEvents and BackendDownEvent give the log lines (with their
// syslog level) and stderr lines HAProxy prints when a runtime command
// changes a server ("Server servers/web1 is going DOWN for maintenance.
// ..."); the Source emits them, since it knows the backend's situation.
//
// Reference outputs captured from the real haproxy are kept in
// testdata/haproxy-2.6.12/ and the tests compare against them.
package runtimeapi
