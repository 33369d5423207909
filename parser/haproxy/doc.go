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
package haproxy
