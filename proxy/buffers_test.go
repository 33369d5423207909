package proxy

// The buffer-holding tests (idle sessions, relays) read buffersInUse.
func init() { countBuffers = true }
