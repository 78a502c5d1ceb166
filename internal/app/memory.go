package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ServeGCPercent is the garbage collector's target for accord serve: the
// heap grows to 1.5 times what is live before a collection, where Go's
// default lets it double. The engine's live heap is mostly long-lived
// series, so collections are rare either way, and resident memory stays
// near 1.5 times the live heap.
const ServeGCPercent = 50

// memoryShare is the part of a container's memory limit the Go heap may
// use: SQLite's page cache and the runtime's own memory come on top.
const memoryShare = 0.8

// MemoryLimit returns the soft memory limit for the Go runtime: limit
// (bytes) when given, else memoryShare of the cgroup's memory limit read
// under root ("/sys/fs/cgroup" in production), else 0 for none. from says
// where it came from, for the log.
func MemoryLimit(limit int64, root string) (bytes int64, from string) {
	if limit > 0 {
		return limit, "--memory-limit"
	}
	// cgroup v2, then v1; "max" and absurdly high values mean no limit.
	for _, f := range []string{"memory.max", "memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil || n <= 0 || n >= 1<<60 {
			return 0, ""
		}
		return int64(float64(n) * memoryShare), "cgroup " + filepath.Join(root, f)
	}
	return 0, ""
}

// ParseBytes reads a size such as 512MiB, 2GB, 1.5GiB or 1048576.
func ParseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}}
	mult := 1.0
	num := s
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || v*mult >= 1<<62 {
		return 0, fmt.Errorf("size %q: want a number of bytes, optionally with KiB, MiB, GiB, TiB, KB, MB, GB or TB", s)
	}
	return int64(v * mult), nil
}
