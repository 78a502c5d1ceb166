package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionText(t *testing.T) {
	vcs := func(kv ...string) []debug.BuildSetting {
		var out []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			out = append(out, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	rev := "35aa27343d7b14b2783e722af2ee1f102c167c2d"
	for _, tc := range []struct {
		name   string
		linked string
		info   *debug.BuildInfo
		want   []string
	}{
		{"go build in a git checkout", "", &debug.BuildInfo{GoVersion: "go1.26.8",
			Main:     debug.Module{Version: "v0.0.0-20261130200631-35aa27343d7b"},
			Settings: vcs("vcs", "git", "vcs.revision", rev, "vcs.time", "2026-11-30T20:06:31Z", "vcs.modified", "false")},
			[]string{"accord v0.0.0-20261130200631-35aa27343d7b\n", "revision " + rev + " committed 2026-11-30T20:06:31Z\n", "built with go1.26.8 for "}},
		{"uncommitted changes", "", &debug.BuildInfo{GoVersion: "go1.26.8",
			Main:     debug.Module{Version: "v0.0.0-20261130200631-35aa27343d7b+dirty"},
			Settings: vcs("vcs.revision", rev, "vcs.modified", "true")},
			[]string{"accord v0.0.0-20261130200631-35aa27343d7b+dirty\n", "revision " + rev + ", with uncommitted changes\n"}},
		{"a release", "v1.2.0", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: vcs("vcs.revision", rev)},
			[]string{"accord v1.2.0\n", "revision " + rev + "\n"}},
		{"go install of a tagged module", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}},
			[]string{"accord v1.2.0\n", "No VCS revision recorded (a build from the module cache has none)"}},
		{"go run", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			[]string{"accord (devel)\n", "No VCS revision recorded: go run leaves it out", "-buildvcs=false (see go env GOFLAGS)"}},
		{"no build information", "", nil,
			[]string{"accord (devel)\n", "no build information"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := versionText(tc.linked, tc.info)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("version text lacks %q:\n%s", w, got)
				}
			}
			if lines := strings.Count(got, "\n"); lines < 3 {
				t.Errorf("version text has %d lines, want the version, the revision and the toolchain:\n%s", lines, got)
			}
		})
	}
}
