// Package haproxy reads HAProxy 2.6 configuration files the way `haproxy -c`
// does and produces a typed Config plus Diagnostics worded like HAProxy's
// (file:line, ALERT/WARNING/NOTICE, the same exit codes).
//
// Check, CheckFiles and CheckBytes run the pipeline: -f expansion and the
// line pre-pass (.if/.elif, quotes, escapes, ${ENV}), tokenising, a
// participle grammar over the pre-passed words, the keyword tables per
// section, then HAProxy's post-parse checks (default_backend and
// use_backend targets, references to other sections, modes, timeouts).
// ApplyPolicy then applies goha's fail-closed policy to the Result: every
// keyword, option, action, fetch and converter HAProxy registers has one
// class in class_table.tsv (implemented, inert, inert unless TLS,
// unsupported), listed in KEYWORDS.md. README.md in this directory maps
// each file to its concern.
//
// keywords_gen.go is generated from HAProxy's configuration.txt by
// internal/genkeywords (go generate).
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
