package daemon

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// fileSettle is how long a track_file must stay unwritten before it is
// read. keepalived reads the file when its writer closes it (inotify's
// IN_CLOSE_WRITE, which fsnotify does not offer); reading at each write
// instead could see the file truncated and half written, a value nobody
// wrote. The settle is counted on the runner's clock.
const fileSettle = 50 * time.Millisecond

// filePoll is the reading interval of a track_file whose directory cannot
// be watched (it does not exist): the value stays what the file says, 0
// while it is missing.
const filePoll = time.Second

// followFile reads a track_file's value and follows its changes. As
// keepalived, it watches the file's directory (resolved through symbolic
// links), so that a file created, renamed over (editors, atomic writes)
// or deleted is seen: a file deleted or moved away counts as 0, one
// written or moved in is read again. The watch is set before the first
// reading, so no change in between is lost.
func (r *Runner) followFile(ctx context.Context, s TrackFileSpec) {
	path := resolveTrackFile(s.File)
	w, err := fsnotify.NewWatcher()
	if err == nil {
		if err = w.Add(filepath.Dir(path)); err != nil {
			w.Close()
		}
	}
	v := readTrackFile(s.File)
	r.files[s.Name] = v
	r.bg.Add(1)
	if err != nil {
		go r.pollFile(ctx, s, v)
		return
	}
	go r.watchFile(ctx, s, w, filepath.Base(path), v)
}

// resolveTrackFile is the path keepalived watches: the file's real path,
// or, while it does not exist, its directory's real path and its name.
func resolveTrackFile(file string) string {
	if p, err := filepath.EvalSymlinks(file); err == nil {
		return p
	}
	if d, err := filepath.EvalSymlinks(filepath.Dir(file)); err == nil {
		return filepath.Join(d, filepath.Base(file))
	}
	return file
}

// watchFile turns the directory's events for the file into fileEvents
// carrying each new value.
func (r *Runner) watchFile(ctx context.Context, s TrackFileSpec, w *fsnotify.Watcher, name string, last int) {
	defer r.bg.Done()
	defer w.Close()
	settle := r.clock.NewTimer(time.Hour)
	settle.Stop()
	defer settle.Stop()
	post := func(v int) bool {
		if v == last {
			return true
		}
		last = v
		select {
		case r.events <- fileEvent{name: s.Name, value: v}:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if filepath.Base(ev.Name) != name {
				continue
			}
			switch {
			case ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
				// Deleted or moved away: 0, as keepalived.
				settle.Stop()
				if !post(0) {
					return
				}
			case ev.Has(fsnotify.Create) || ev.Has(fsnotify.Write):
				settle.Reset(fileSettle)
			}
		case _, ok := <-w.Errors:
			if !ok {
				return
			}
			// An overflowed queue may have lost the last change: read
			// the file again.
			settle.Reset(fileSettle)
		case <-settle.C():
			if !post(readTrackFile(s.File)) {
				return
			}
		}
	}
}

// pollFile reads a track_file whose directory cannot be watched every
// filePoll.
func (r *Runner) pollFile(ctx context.Context, s TrackFileSpec, last int) {
	defer r.bg.Done()
	for sleep(r.clock, filePoll, ctx.Done()) {
		if v := readTrackFile(s.File); v != last {
			last = v
			select {
			case r.events <- fileEvent{name: s.Name, value: v}:
			case <-ctx.Done():
				return
			}
		}
	}
}

// readTrackFile is keepalived's reading: the leading integer, 0 otherwise.
func readTrackFile(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, err := strconv.Atoi(f[0])
	if err != nil {
		return 0
	}
	return v
}

// fileValue applies a track_file's new value to the instances tracking it.
func (r *Runner) fileValue(e fileEvent, now time.Duration) {
	r.files[e.name] = e.value
	for _, in := range r.insts {
		for _, t := range in.spec.TrackFiles {
			if t.Name == e.name {
				r.retrack(in, now)
				break
			}
		}
	}
}
