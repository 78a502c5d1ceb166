//go:build !unix

package app

// maxConnectionsFor keeps the limit where the open-file limit is unknown.
func maxConnectionsFor(want int) (int, bool) { return want, false }
