//go:build !unix

package sqlite

import "time"

// processCPU is unknown here: CPU metrics read 0.
func processCPU() time.Duration { return 0 }
