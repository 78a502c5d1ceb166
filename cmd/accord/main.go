// Command accord is the Accord SLO platform: it reads SLOs as code,
// validates and converts them, and (in time) measures and alerts on them.
package main

import (
	"errors"
	"fmt"
	"os"

	_ "time/tzdata" // calendar windows name IANA zones; machines without tzdata still resolve them
)

func main() {
	cmd := newRootCmd(os.Stdout, os.Stderr)
	if err := cmd.Execute(); err != nil {
		var exit exitError
		if !errors.As(err, &exit) {
			fmt.Fprintln(os.Stderr, "accord:", err)
		}
		os.Exit(1)
	}
}

// exitError ends the command with exit status 1 after the command has
// already told the user why.
type exitError struct{ reason string }

func (e exitError) Error() string { return e.reason }
