package haproxy

// keywords_gen.go is generated from the documentation the Debian haproxy
// package installs (make deps); TestGenerated in internal/genkeywords
// checks that the committed file is what the generator writes.
//go:generate go run ./internal/genkeywords -o keywords_gen.go /usr/share/doc/haproxy/configuration.txt.gz
