package main

// startChecks starts the health checks of every server with `check`.
func (w *worker) startChecks() {}
