// Package peers speaks HAProxy's peers protocol (version 2.1, as HAProxy
// 2.6's src/peers.c speaks it) without doing any I/O: the codec (the text
// handshake, the binary message frames, the varints, table definitions and
// entry updates with every stick-table data type), a per-connection
// session state machine driven by bytes and an injected clock, and the
// section-wide resync bookkeeping. The sockets live in proxy/peers/peernet.
//
// A session reads the local stick tables and stores what it learns through
// the small Table interface; MemTable is an in-memory implementation for
// tests and for wiring before the real stick tables exist.
package peers
