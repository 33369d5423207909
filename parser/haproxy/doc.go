// Package haproxy reads haproxy.cfg as HAProxy 2.6 does: a line pre-pass
// (quotes, escapes, environment variables, .if blocks) with positions kept,
// then the keywords of each section, into a typed Config and Diagnostics
// worded as HAProxy's (`haproxy -c` goldens compare them byte for byte).
//
// The parser is the one grammar of every keyword: what the runtime needs
// is emitted typed, and runtime packages never read configuration words.
// In particular:
//
//   - ACLs (aclterm.go, sample.go): an ACL is HAProxy's sample pipeline,
//     a Sample (fetch with typed arguments, then converters) and a Match
//     (method, -i -n -u -f -M flags, patterns); conditions are OR of ANDs
//     of possibly negated named or anonymous terms. proxy/acl evaluates
//     them.
//   - Log targets (logline.go): LogTarget (address kind, len, format,
//     sample, facility, levels, from the one facility and level lists);
//     proxy/logfmt sends to them.
//   - Health checks (checksteps.go): a CheckStep per tcp-check/http-check
//     line and a ProtocolCheck for the check option; proxy/check compiles
//     them.
//
// Where goha accepts a line HAProxy accepts but cannot run it, the typed
// value carries an Invalid message the runtime reports as unsupported.
//
// These argument grammars are small and positional (a keyword, then
// flag/value pairs read left to right, with HAProxy's first-error-wins
// messages), so they are read by hand-written scanners over the words of
// a line: a generated grammar would not give HAProxy's error wording or
// its order of checks.
package haproxy
