package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print Accord's version, VCS revision and Go version",
		Long: `Version prints the version Accord was built as, the VCS revision it was built
from, and the Go toolchain that built it.

go build and go install record the module version and the git revision
when they run in a git checkout; go run does not, nor do builds with
-buildvcs=false (go env GOFLAGS may set it), and version says so.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info, _ := debug.ReadBuildInfo() // nil without build information
			_, err := fmt.Fprint(cmd.OutOrStdout(), versionText(version, info))
			return err
		},
	}
}

// versionText describes a build: the linked-in version or else the module
// version Go recorded, the VCS revision, and the Go toolchain. info is
// nil for a binary without build information.
func versionText(linked string, info *debug.BuildInfo) string {
	var b strings.Builder
	v := linked
	if v == "" && info != nil {
		v = info.Main.Version
	}
	if v == "" {
		v = "(devel)"
	}
	fmt.Fprintf(&b, "accord %s\n", v)
	settings := map[string]string{}
	if info != nil {
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
	}
	switch rev := settings["vcs.revision"]; {
	case info == nil:
		b.WriteString("This binary carries no build information: no module version, no VCS revision.\n")
	case rev == "" && v != "(devel)":
		b.WriteString("No VCS revision recorded (a build from the module cache has none): the version names the source.\n")
	case rev == "":
		b.WriteString("No VCS revision recorded: go run leaves it out, as does go build outside a git checkout\n" +
			"or with -buildvcs=false (see go env GOFLAGS).\n")
	default:
		fmt.Fprintf(&b, "revision %s", rev)
		if t := settings["vcs.time"]; t != "" {
			fmt.Fprintf(&b, " committed %s", t)
		}
		if settings["vcs.modified"] == "true" {
			b.WriteString(", with uncommitted changes")
		}
		b.WriteString("\n")
	}
	goVersion := runtime.Version()
	if info != nil && info.GoVersion != "" {
		goVersion = info.GoVersion
	}
	fmt.Fprintf(&b, "built with %s for %s/%s\n", goVersion, runtime.GOOS, runtime.GOARCH)
	return b.String()
}
