// Package slo holds Accord's domain model: services, their service level
// objectives, the indicators that measure them, and the error budget
// policies that turn budgets into decisions. Every spec format is read into
// these types; every other package speaks them.
package slo
