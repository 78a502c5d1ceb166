//go:build !unix

package testenv

import "time"

// ProcessCPU is unknown here: CPU metrics read 0.
func ProcessCPU() time.Duration { return 0 }
