package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/auth"
)

// BenchmarkIdentifyToken is what every request with a named token pays:
// hash the secret and look the hash up in SQLite (its last use is written
// once a minute, not per request).
func BenchmarkIdentifyToken(b *testing.B) {
	s, _, _ := mustService(b, auth.Options{Bootstrap: "boot"})
	ctx := context.Background()
	_, secret, err := s.CreateToken(ctx, "tills", auth.RoleIngest, time.Time{}, auth.Identity{Name: "bootstrap"})
	if err != nil {
		b.Fatal(err)
	}
	c := auth.Credentials{Bearer: secret, Remote: "10.0.0.8:51234"}
	for b.Loop() {
		if id, _, err := s.Identify(ctx, c); err != nil || id.Name != "tills" {
			b.Fatalf("%+v %v", id, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/request")
}
