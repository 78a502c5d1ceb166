//go:build unix

package app

import "syscall"

// filesReserved are file descriptors kept for the database, logs and
// outgoing requests.
const filesReserved = 64

// maxConnectionsFor lowers a connection limit the process's open-file
// limit could not hold; ok says it did.
func maxConnectionsFor(want int) (int, bool) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur > uint64(want+filesReserved) {
		return want, false
	}
	return max(int(lim.Cur)-filesReserved, 1), true
}
