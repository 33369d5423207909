package serverstate

import (
	"fmt"
	"strings"
)

// Path is where HAProxy looks for a state file name: as given when it is
// absolute or there is no server-state-base, else under the base.
func Path(base, name string) string {
	if strings.HasPrefix(name, "/") || base == "" {
		return name
	}
	if strings.HasSuffix(base, "/") {
		return base + name
	}
	return base + "/" + name
}

// FileMessage words HAProxy's warning about a whole file that cannot be
// applied (empty, bad version, corrupted); backend is "" for the global
// file. bad is false for a file that applies (no message).
func FileMessage(backend, path string, f File) (msg string, bad bool) {
	who, what := "config: ", "global server state file"
	if backend != "" {
		who, what = "Proxy '"+backend+"': ", "server state file"
	}
	switch f.Status {
	case BadVersion:
		return fmt.Sprintf("%sCan't get version of the %s '%s'.", who, what, path), true
	case Corrupt:
		return fmt.Sprintf("%scorrupted %s '%s' at line %d.", who, what, path, f.CorruptLine), true
	}
	return "", false
}

// OpenMessage words HAProxy's warning about a file it could not open
// (errText: strerror's words), a missing file included (2.6 warns).
func OpenMessage(backend, path, errText string) string {
	if backend == "" {
		return fmt.Sprintf("config: Can't open global server state file '%s': %s", path, errText)
	}
	return fmt.Sprintf("Proxy '%s': Can't open server state file '%s': %s.", backend, path, errText)
}
