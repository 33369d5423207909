package h2

// Settings are what goha announces to clients and servers (HAProxy's
// tune.h2.* values).
type Settings struct {
	HeaderTableSize      uint32 // tune.h2.header-table-size
	InitialWindowSize    uint32 // tune.h2.initial-window-size
	MaxConcurrentStreams uint32 // tune.h2.max-concurrent-streams
	MaxFrameSize         uint32 // tune.h2.max-frame-size
	// NoConnectProtocol leaves SETTINGS_ENABLE_CONNECT_PROTOCOL out of
	// the SETTINGS, to clients and to servers (HAProxy's
	// h2-workaround-bogus-websocket-clients): clients then do not offer
	// extended CONNECT (RFC 8441).
	NoConnectProtocol bool
}

// orDefault is s, or HAProxy's defaults (the flags kept) when no value
// was set.
func (s Settings) orDefault() Settings {
	if s == (Settings{NoConnectProtocol: s.NoConnectProtocol}) {
		d := DefaultSettings
		d.NoConnectProtocol = s.NoConnectProtocol
		return d
	}
	return s
}

// DefaultSettings are HAProxy 2.6's defaults.
var DefaultSettings = Settings{HeaderTableSize: 4096, InitialWindowSize: 65535, MaxConcurrentStreams: 100, MaxFrameSize: 16384}
