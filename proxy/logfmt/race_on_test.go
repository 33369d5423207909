//go:build race

package logfmt

// sync.Pool drops items at random under the race detector.
const raceEnabled = true
