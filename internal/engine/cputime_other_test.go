//go:build !unix

package engine_test

import "time"

// processCPU is unknown here: CPU metrics read 0.
func processCPU() time.Duration { return 0 }
