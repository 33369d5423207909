// Package peers speaks HAProxy's peers protocol (version 2.1, as HAProxy
// 2.6's src/peers.c speaks it) without doing any I/O. The sockets live in
// proxy/peers/peernet.
//
// The codec: the text handshake (AppendHello, CheckVersionLine, PeerLine,
// status lines 200/300/501..504), message frames (ParseFrame: class, type,
// and for stick-table messages a varint length bounded by HAProxy's 16 KiB
// buffer), control and error messages, table definitions (DecodeDefine,
// AppendDefine: id, name, key type and length, data-type bitfield, expire,
// array sizes and rate periods), switch and ack messages, and entry updates
// (DecodeUpdate, AppendUpdate: with or without update id and remaining
// lifetime, keys of every key type, values of every 2.6 data type, rates as
// age/current/previous, server_key through the session's dictionary
// cache). testdata/haproxy26-updates.bin holds bytes sent by HAProxy
// 2.6.12; they decode to the configured table and re-encode byte for byte.
//
// The session (Session, driven by Feed, Tick and read through Output,
// Events, Closed; no clock, no socket): the handshake either way, the
// definitions sent before a table's first update of a session, local
// changes pushed from the last update the peer acked (Config.Resume keeps
// that across sessions, as HAProxy's st->update does), acks of what was
// received, the full resync (RequestResync sends the request; a request
// received makes the session teach every entry with its remaining lifetime
// and end with "finished" or "partial" depending on Config.Synced), the
// confirms, the heartbeat after 3s without sending, and the end of a
// session whose peer sent nothing for two 5s periods. A message that does
// not decode ends that session only, after HAProxy's error message. Resync
// keeps a section's own resync state across its sessions (wait up to 5s
// for the old process of a reload, then ask one remote peer at a time,
// stop at "finished" or after 5s without a peer to ask).
//
// The tables: a session reads and feeds local stick tables through Table
// (LastUpdate, UpdatesAfter, Snapshot, Apply), with times relative to the
// call (remaining ms, rate ages) so no clock is shared. MemTable implements
// it in memory. KeyOf gives the key type and length HAProxy announces for a
// configured table (a definition that differs is ignored by HAProxy), and
// a peers section's own table is named "/<table>" on the wire
// (testdata/haproxy26-defines.bin). proxy/stick's peers view (UpdateID, Updates, Apply with
// Snapshot values flattened per element) maps onto it one to one.
//
// The reload: a session whose remote is the local peer's own name is the
// hand-over between the old and the new process of a reload. The old one
// dials and teaches every entry unasked (EvTaught once the new one
// confirmed); the new one, if Resync still waits for it (NewResync with
// oldProcess), counts the lesson as requested. Resync keeps HAProxy's
// peers->flags (Flags) and Session.Counters the fields "show peers"
// prints. gohaproxy runs the sections with peernet and
// proxy/peers/stickpeer (proxy/haproxycfg peers.go, internal/haproxycmd
// run_peers.go).
package peers
