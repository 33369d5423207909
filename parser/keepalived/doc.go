// Package keepalived reads keepalived.conf the way keepalived 2.2.7 does and
// produces a typed, defaults-applied Config plus keepalived's own `-t`
// diagnostics (same words, same exit code), with goha hints on top.
//
// The pipeline, one concern per file:
//
//   - prepass.go: keepalived's read_line: comments ('#'/'!' outside double
//     quotes; "//" is text), include globs with brace expansion relative to
//     the including file, $NAME definitions (multi-line with '\'), @id/@^id
//     lines, ~SEQ/~SEQx/~LST, and the split of lines at their first brace.
//     Every token keeps its original file:line:column.
//   - grammar.go: a participle grammar over the pre-pass tokens (Word,
//     String, '{', '}', EOL) giving the line AST.
//   - keywords.go: the keyword tree of keepalived 2.2.7 — every keyword, its
//     block, its kind (scalar, value block, sub-block), its class (Support:
//     honoured, unsupported, inert; the fail-closed policy) and which
//     keepalived process parses it. Unsupported keywords and values are
//     Diagnostics with Unsupported set: -t fails (ExitUnsupported) and the
//     daemon refuses the file unless Options.AllowUnsupported.
//   - tree.go: keepalived's process_stream: the keyword table, not the
//     braces, decides where blocks start and end. It runs once per keepalived
//     process (parent, vrrp, checker, bfd) because keepalived does, and the
//     union of what those passes print is what users see.
//   - typer.go, vrrp.go, checks.go: handlers that build Config and report in
//     keepalived's words; checks.go holds the end-of-parse checks and strict
//     mode rewrites.
//   - vrrp_auth.go: the authentication checks after strict mode and v3
//     (no password, AH with an initial MASTER state, AH unsupported).
//   - checker.go: the checker process's model of virtual_server and
//     virtual_server_group and its pure end-of-parse checks (Validate);
//     checker_typer.go, checker_values.go, checker_checks.go type those
//     blocks, their values and the health checkers, in keepalived's words.
//     gokeepalived runs no IPVS: this is for `-t` (and Result.IPVS) only.
//   - lint.go: Lint, the entry point behind `gokeepalived -t`.
//
// Lint never reads the host's interfaces: Options.Interfaces is injected.
package keepalived
