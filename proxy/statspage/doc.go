// Package statspage is HAProxy 2.6's HTML statistics page (`stats enable`,
// `stats uri`): the process block, the legend, one table per proxy with
// HAProxy's columns, colours and tooltips, and the ;csv, ;up, ;norefresh
// variants, `stats refresh|hide-version|show-legends|show-desc|show-node|
// scope` and `stats auth|realm` (basic auth, HAProxy's 401).
//
// The page is drawn from the `show stat` CSV and `show info` data of
// proxy/runtimeapi, as HAProxy draws its page and its CLI from one field
// array: the page cannot show other numbers than the stats socket. The
// renderer (Serve) is pure; Service adapts it to the proxy's applet hook.
package statspage
