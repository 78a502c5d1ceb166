package postgres

import "github.com/accord-slo/accord/internal/testenv"

// PG is the PostgreSQL server this package's tests share, internal and
// external alike.
var PG = testenv.NewPostgres()
