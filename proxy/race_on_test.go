//go:build race

package proxy

// raceBuild: the race detector allocates on its own; allocation counts mean nothing.
const raceBuild = true
