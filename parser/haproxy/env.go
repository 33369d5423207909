package haproxy

import "os"

// lookupEnv is the process environment, the default Env.
func lookupEnv(name string) (string, bool) { return os.LookupEnv(name) }
