package app

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMemoryLimitComesFromTheFlagThenTheCgroup(t *testing.T) {
	v2, v1, none, unlimited := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	write := func(path, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(v2, "memory.max"), "1073741824\n")
	write(filepath.Join(v1, "memory", "memory.limit_in_bytes"), "2147483648\n")
	write(filepath.Join(unlimited, "memory.max"), "max\n")
	for _, c := range []struct {
		flag int64
		root string
		want int64
	}{
		{0, v2, 858993459}, // 80% of 1 GiB
		{0, v1, 1717986918},
		{0, none, 0},
		{0, unlimited, 0},
		{500 << 20, v2, 500 << 20},
	} {
		if got, from := MemoryLimit(c.flag, c.root); got != c.want || (got > 0) != (from != "") {
			t.Errorf("MemoryLimit(%d, %s) = %d from %q, want %d", c.flag, c.root, got, from, c.want)
		}
	}
}

func TestParseBytesTakesUnits(t *testing.T) {
	for s, want := range map[string]int64{"1048576": 1 << 20, "512MiB": 512 << 20, "1.5GiB": 3 << 29, "2GB": 2e9, "64 KiB": 64 << 10} {
		if got, err := ParseBytes(s); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "lots", "-1GiB", "1XB"} {
		if _, err := ParseBytes(s); err == nil {
			t.Errorf("ParseBytes(%q) took it", s)
		}
	}
}
