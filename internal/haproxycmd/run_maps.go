package haproxycmd

import (
	"errors"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/proxy/acl"
	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// The runtime API's map and acl commands over the worker's pattern
// references (proxy/acl PatRef): runtimeSource implements
// runtimeapi.Patterns.

func (s *runtimeSource) PatternRefs(maps bool) []runtimeapi.PatternRef {
	var out []runtimeapi.PatternRef
	for _, r := range acl.PatRefs(maps) {
		cur, next := r.Versions()
		out = append(out, runtimeapi.PatternRef{ID: r.ID, Path: r.Path, Entries: r.Count(), CurVer: cur, NextVer: next})
	}
	return out
}

func (s *runtimeSource) PatternFile(maps bool, ref string) (runtimeapi.PatternFile, bool) {
	for _, r := range acl.PatRefs(maps) {
		if id, ok := strings.CutPrefix(ref, "#"); ok {
			if n, err := strconv.Atoi(id); err == nil && n == r.ID {
				return patternFile{r}, true
			}
		} else if r.Path == ref {
			return patternFile{r}, true
		}
	}
	return nil, false
}

// patternFile adapts an acl.PatRef to runtimeapi.PatternFile.
type patternFile struct{ *acl.PatRef }

func (p patternFile) Entries() []runtimeapi.PatternEntry {
	es := p.PatRef.Entries()
	out := make([]runtimeapi.PatternEntry, len(es))
	for i, e := range es {
		out[i] = runtimeapi.PatternEntry{ID: e.ID, Key: e.Key, Value: e.Value, NoValue: e.NoValue}
	}
	return out
}

func (p patternFile) EntriesVersion(ver uint32) []runtimeapi.PatternEntry {
	es := p.PatRef.EntriesVersion(ver)
	out := make([]runtimeapi.PatternEntry, len(es))
	for i, e := range es {
		out[i] = runtimeapi.PatternEntry{ID: e.ID, Key: e.Key, Value: e.Value}
	}
	return out
}

func (p patternFile) AddVersion(ver uint32, key, value string) error {
	if err := p.PatRef.AddVersion(ver, key, value); errors.Is(err, acl.ErrFutureVersion) {
		return runtimeapi.ErrFutureVersion
	} else if err != nil {
		return err
	}
	return nil
}

func (p patternFile) Commit(ver uint32) error {
	if err := p.PatRef.Commit(ver); errors.Is(err, acl.ErrVersionRange) {
		return runtimeapi.ErrVersionRange
	} else if err != nil {
		return err
	}
	return nil
}

var _ runtimeapi.VersionedPatternFile = patternFile{}
