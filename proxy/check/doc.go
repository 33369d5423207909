// Package check runs HAProxy's server health checks: a pure rise/fall state
// machine (Health), probes behind a small interface (TCP connect, HTTP with
// `option httpchk` / `http-check send` / `http-check expect`, tcp-check
// rulesets and the protocol checks), and a Runner that schedules probes on
// a Clock and reports transitions with HAProxy's log lines.
//
// The check lines are read once, by the parser: parser/haproxy types each
// `tcp-check`/`http-check` line as a CheckStep and the check option as a
// ProtocolCheck. This package compiles them (NewTCPRule, NewExpect,
// ProbeRequest.ApplySend, OptionHTTPChk, SMTPCheck, MySQLCheck): hex data,
// regexes, status names and sample expressions; it never reads words.
//
// # tcp-check and the protocol checks (tcpcheck.go, protocols.go)
//
// TCPCheckProbe evaluates a ruleset as HAProxy 2.6's tcpcheck_main does:
// an implicit connect (step 0) before a ruleset without one, the input
// buffer emptied by every send and connect, an expect waiting for more
// data until its pattern could match (or min-recv bytes, after which a
// mismatch is final), expect chains resumed from their first negated rule,
// comments handed to the following rules. `option tcp-check` results carry
// HAProxy's texts ("(tcp-check)", "TCPCHK did not match content 'x' at
// step 2", " at step 1 of tcp-check (expect string 'x')", ...).
// redis-check, mysql-check, pgsql-check, smtpchk, ldap-check and
// ssl-hello-chk are HAProxy's preset rulesets with its bytes and its
// sample-expression texts computed in Go (measured against 2.6.12: smtpchk
// ends with QUIT and reports the QUIT answer; mysql-check reports the
// server version, ldap-check "Success"). rstring/rbinary use RE2: a
// pattern only PCRE accepts is refused, never matched differently (a
// final `$` is rewritten to PCRE's meaning). Log-format and sample
// expressions are evaluated only in the forms HAProxy's presets use
// (literal text, res.payload() with cut_crlf/ltrim/rtrim/lower/upper:
// tcpformat.go), plus check-scope variables: `tcp-check set-var(check.x)`,
// set-var-fmt and unset-var rules (str(), int(), bin(), var(check.x),
// res.payload()) read by send-lf, send-binary-lf, expect
// string-lf/binary-lf and on-success/on-error/status-code (checkvars.go; each run starts with none, an unset
// variable prints nothing), and the fetches of the check's own
// connection: ssl_bc and ssl_bc_* over check-ssl, bc_src/bc_dst and their
// ports (connfetch.go); the others are refused so proxy/haproxycfg
// reports the rule.
//
// # HTTP checks and variables (http.go, http_vars.go)
//
// An HTTP check sends one request: `option httpchk` with the `http-check
// send` parts applied in order; `http-check set-var*`/`unset-var` lines
// before the send run at each check and feed its uri-lf, body-lf and
// header values (log-format strings). An expect's comment, or an
// `http-check comment` line before it, ends its failure's info with
// " comment: <text>", as in HAProxy 2.6.
//
// # agent-check (agent.go)
//
// An agent target (Target.Agent, rise and fall 1) runs AgentProbe:
// connect, send agent-send, read one line. ParseAgentReply reads it as
// HAProxy's tcpcheck_agent_expect_reply; the runner hands the admin word,
// weight and maxconn to RunnerOptions.Agent first (the caller applies them
// with its own log lines), then only a health word moves the agent's
// health (up: L7OK "via agent : up"; down/stopped/fail: L7STS); other
// answers are CHECKED ("No status change"), connection failures change
// nothing. Maintenance does not pause an agent.
//
// # observe, error-limit, on-error (observe.go)
//
// The data path reports what each connection attempt and response head to
// a server with `observe` showed (Runner.Analyze with an Analysis, HAProxy's
// HANA_STATUS_*): layer4 counts connection outcomes, layer7 HTTP ones and
// connection errors. After error-limit consecutive errors (default 10) the
// on-error mode acts: fail-check (the default) counts one failed check with
// status HANA ("Health analyze", info "Detected N consecutive errors, last
// one was: ...", no check duration), sudden-death first leaves one failure
// before DOWN, mark-down takes the server DOWN, fastinter changes no
// health; every mode brings the next check forward to within fastinter and
// counts hanafail.
//
// # Behaviour taken from HAProxy 2.6.12 (measured on this machine)
//
//   - A checked server starts UP with health = rise, so its first failed
//     check marks it DOWN; once fully healthy (health = rise+fall-1) it
//     takes fall failures to go DOWN, and rise successes to come back UP.
//   - Intervals: inter while fully healthy, downinter while fully down
//     (health 0), fastinter otherwise (proxy/haproxycfg fills fastinter and
//     downinter with inter when unset, inter with 2s, as HAProxy). The
//     next check is scheduled from the end of the previous one (a 400 ms
//     check with inter 1s runs every 1.4 s). At start the checks are spread:
//     check i of n waits max(mininter, its interval)*i/n, mininter being the
//     smallest interval of at least 1s.
//   - Timeouts: without `timeout check` the whole check gets inter; with it,
//     the connection gets min(timeout connect, inter) and the check as a
//     whole max(that, timeout check).
//   - `option httpchk` alone sends "OPTIONS / HTTP/1.0\r\n\r\n" (the
//     defaults proxy/haproxycfg fills from parser/haproxy); HTTP/1.1
//     requests get "connection: close"; header names go out in lower case.
//     Without `http-check expect`, 2xx and 3xx pass.
//   - Log lines (syslog severities in brackets): "Server B/S is DOWN, reason:
//     ..." [alert], "... is UP, reason: ..." [notice], "backend B has no
//     server available!" [emerg], and with `option log-health-checks`
//     "Health check for server B/S failed, ..., status: 2/3 UP." [notice]
//     before a short "Server B/S is DOWN. ..." line. Backup servers read
//     "Backup Server B/S" and "Health check for backup server B/S".
//   - Maintenance pauses a check and empties its health; a check under way
//     then still ends and counts: its result moves the health from 0 and
//     is logged ("status: 1/2 DOWN."), the state stays (maint_check.go).
package check
