// Package keepalived reads keepalived.conf the way keepalived 2.2.7 does and
// produces a typed, defaults-applied Config plus keepalived's own `-t`
// diagnostics (same words, same exit code), with goha hints on top.
//
// The pipeline, one concern per file:
//
//   - prepass.go: keepalived's read_line: comments ('#'/'!' outside double
//     quotes; "//" is text), $NAME expansion, @id/@^id lines and the split
//     of lines at their first brace; prepass_include.go the include globs
//     (brace expansion, relative to the including file, include_check),
//     prepass_define.go the $NAME definitions (multi-line with '\'),
//     prepass_seq.go ~SEQ/~SEQx/~LST. Every token keeps its original
//     file:line:column.
//   - keywords.go, keywords_vrrp.go, keywords_checker.go: the keyword
//     tables of keepalived 2.2.7, one row per keyword as keepalived's
//     install_keyword declares them: name, block, kind (scalar, value block,
//     sub-block), argument doc or Range, class (Support: honoured,
//     unsupported, inert; the fail-closed policy), which keepalived process
//     parses it, the handler that types it and Where it is run.
//     Unsupported keywords and values are Diagnostics with Unsupported set:
//     -t fails (ExitUnsupported) and the daemon refuses the file unless
//     Options.AllowUnsupported. A numeric keyword's range is in its row
//     only (range.go): the handler reads the argument through it, the
//     messages quote it and KEYWORDS.md prints it. KEYWORDS.md is generated
//     from the rows (keywords_doc.go, `go generate`, gen_keywords.go).
//   - tree.go: keepalived's process_stream: the keyword table, not the
//     braces, decides where blocks start and end. It runs once per keepalived
//     process (parent, vrrp, checker, bfd) because keepalived does, and the
//     union of what those passes print is what users see.
//   - typer.go: the typer and the global_defs block; global_defs.go its
//     rows' handlers. vrrp.go: the VRRP process's root blocks and the
//     vrrp_instance block; vrrp_instance*.go one handler per vrrp_instance
//     keyword, by family (identity and timers, addresses, notify scripts,
//     trackers); vrrp_track.go the vrrp_script, track_file and
//     vrrp_sync_group blocks, vrrp_track_keywords.go their handlers;
//     vrrp_track_process.go the vrrp_track_process block and the
//     track_process lines of instances and sync groups; garp_group.go
//     the garp_group block (GARP/NA pacing shared by interfaces);
//     checks.go the end-of-parse checks and strict-mode rewrites. They build
//     Config and report in keepalived's words.
//   - routes.go, vrrp_routes.go, route_notices.go: the route and rule
//     grammar (static_routes, virtual_routes, static_rules, virtual_rules).
//     The parser emits typed Route and Rule values; a line gokeepalived
//     cannot install is a RejectedLine, reported by RouteDiagnostics
//     (`gokeepalived -t`) and by the daemon's notices. vrrp/daemon installs
//     the values and never re-reads the words.
//   - vrrp_auth.go: the authentication checks after strict mode and v3
//     (no password, AH with an initial MASTER state, AH unsupported).
//   - checker.go: the checker process's model of virtual_server and
//     virtual_server_group and its pure end-of-parse checks (Validate);
//     checker_typer.go, checker_values.go, checker_checks.go type those
//     blocks, their values and the health checkers, in keepalived's words
//     (by block, not through row handlers: every checker keyword is
//     refused). gokeepalived runs no IPVS: this is for `-t` (and
//     Result.IPVS) only.
//   - lint.go: Lint, the entry point behind `gokeepalived -t`.
//
// # Why a line scanner and a keyword walker, not a participle grammar
//
// The textual layer (include, $NAME, @id, ~SEQ, comments, the split at the
// first brace) is line-based by definition: keepalived reads lines with
// fgets and rewrites them before any word is looked at. After it, the
// lines are plain words, and a grammar over them would only turn lines into
// the same lines.
//
// The block structure `name { ... }` looks like a natural grammar but is
// not one in keepalived: whether a '{' opens a block is decided by the
// keyword table, not by the braces. An unknown keyword followed by "{" is
// reported ("Unknown keyword"), its "{" is ignored ("Unexpected '{' -
// ignoring") and its contents are read as keywords of the enclosing block,
// whose own "}" is then the unknown block's; a block keyword whose "{" is
// missing reads its first keyword as "Missing '{' ..."; another process's
// root blocks are skipped by counting braces, and an unbalanced skip ends
// where keepalived's ends. A brace-nesting grammar (participle or any
// other) would build a different tree for exactly the inputs those
// messages are about, and its errors (`file:l:c: unexpected token`) are not
// keepalived's. The keyword walker in tree.go reproduces process_stream
// directly and gives the goldens' diagnostics byte for byte; it is the
// clearer tool here.
//
// Lint never reads the host's interfaces: Options.Interfaces is injected.
package keepalived
