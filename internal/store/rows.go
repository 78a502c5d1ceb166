package store

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// Rows both stores read and write the same way: the columns, keys and
// mapping to values live here once, and only the SQL around them differs.

// Scanner is a row to read: *sql.Row, *sql.Rows and pgx.Row alike.
type Scanner interface{ Scan(dest ...any) error }

// TokenColumns are the columns ScanToken reads, in its order.
const TokenColumns = `id, name, role, hash, created_at, created_by, expires_at, last_used, revoked_at, revoked_by`

// ScanToken reads a token from a row of TokenColumns; times are Unix
// milliseconds, NULL for none.
func ScanToken(row Scanner) (auth.Token, error) {
	var t auth.Token
	var role string
	var created int64
	var expires, used, revoked *int64
	if err := row.Scan(&t.ID, &t.Name, &role, &t.Hash, &created, &t.CreatedBy, &expires, &used, &revoked, &t.RevokedBy); err != nil {
		return t, err
	}
	t.Role, t.CreatedAt = auth.Role(role), time.UnixMilli(created).UTC()
	t.ExpiresAt, t.LastUsed, t.RevokedAt = timeOrZero(expires), timeOrZero(used), timeOrZero(revoked)
	return t, nil
}

// Rows are the rows of a query: *sql.Rows and pgx.Rows alike.
type Rows interface {
	Scanner
	Next() bool
	Err() error
}

// Collect reads every row with scan.
func Collect[T any](rows Rows, scan func(Scanner) (T, error)) ([]T, error) {
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ScanBody reads a row of one JSON body into a T.
func ScanBody[T any](row Scanner) (T, error) {
	var v T
	var body string
	if err := row.Scan(&body); err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		return v, fmt.Errorf("decode %T: %w", v, err)
	}
	return v, nil
}

// ScanBodyWithID returns a scanner of rows of an id and a JSON body into
// a T, which setID gives the id.
func ScanBodyWithID[T any](setID func(*T, int64)) func(Scanner) (T, error) {
	return func(row Scanner) (T, error) {
		var v T
		var id int64
		var body string
		if err := row.Scan(&id, &body); err != nil {
			return v, err
		}
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			return v, fmt.Errorf("decode %T %d: %w", v, id, err)
		}
		setID(&v, id)
		return v, nil
	}
}

// AuditQuery is the query of the audit entries q selects, newest first,
// with ? for its arguments, and the arguments.
func AuditQuery(q auth.Query) (string, []any) {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where, args = append(where, cond), append(args, a...) }
	if q.Before > 0 {
		add("id < ?", q.Before)
	}
	if q.Who != "" {
		add("who = ?", q.Who)
	}
	if q.Action != "" {
		esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q.Action))
		add(`LOWER(route) LIKE ? ESCAPE '\'`, "%"+esc+"%")
	}
	if len(q.Services) > 0 {
		svcs := make([]any, len(q.Services))
		for i, v := range q.Services {
			svcs[i] = v
		}
		add("service IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(svcs)), ", ")+")", svcs...)
	}
	if !q.From.IsZero() {
		add("at >= ?", q.From.UnixMilli())
	}
	if !q.To.IsZero() {
		add("at < ?", q.To.UnixMilli())
	}
	if q.Succeeded {
		add("status < 400")
	}
	if q.Unfolded {
		add("fold_key IS NULL")
	}
	query := `SELECT ` + AuditColumns + ` FROM audit`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	return query + " ORDER BY id DESC LIMIT ?", append(args, q.Limit)
}

// AuditColumns are the columns ScanAuditEntry reads, in its order.
const AuditColumns = `id, at, last_at, who, via, role, method, route, object, service, summary, status, remote, forwarded_for,
	requests, fold_key IS NOT NULL`

// ScanAuditEntry reads an audit entry from a row of AuditColumns.
func ScanAuditEntry(row Scanner) (auth.Entry, error) {
	var e auth.Entry
	var at, last int64
	var via, role string
	if err := row.Scan(&e.ID, &at, &last, &e.Who, &via, &role, &e.Method, &e.Route, &e.Object, &e.Service, &e.Summary,
		&e.Status, &e.Remote, &e.ForwardedFor, &e.Count, &e.Folded); err != nil {
		return e, err
	}
	e.At, e.LastAt, e.Via, e.Role = time.UnixMilli(at).UTC(), time.UnixMilli(last).UTC(), auth.Via(via), auth.Role(role)
	return e, nil
}

// MillisOrNull is t in Unix milliseconds, or nil (NULL) for the zero time.
func MillisOrNull(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	ms := t.UnixMilli()
	return &ms
}

func timeOrZero(ms *int64) time.Time {
	if ms == nil {
		return time.Time{}
	}
	return time.UnixMilli(*ms).UTC()
}

// ScanCount reads a count from a row of its SLO, group, kind, minute,
// good and total.
func ScanCount(row Scanner) (engine.Count, error) {
	var c engine.Count
	var kind string
	err := row.Scan(&c.SLO, &c.Group, &kind, &c.Minute, &c.Good, &c.Total)
	c.Kind = engine.Kind(kind)
	return c, err
}

// CompareCounts orders counts by their key: SLO, group, kind, minute, the
// order of the counts table's primary key.
func CompareCounts(a, b engine.Count) int {
	return cmp.Or(cmp.Compare(a.SLO, b.SLO), cmp.Compare(a.Group, b.Group), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Minute, b.Minute))
}

// NotificationSLO is the SLO a notification is stored under, which
// Notifications filters by: its policy change's, else its alert's.
func NotificationSLO(n engine.Notification) string {
	if n.Policy != nil {
		return n.Policy.SLO
	}
	return n.Alert.SLO
}

// AnnotationEnd is the end an annotation is stored with for Annotations'
// overlap test: its start when it has no end (a point in time).
func AnnotationEnd(a slo.Annotation) time.Time {
	if a.End.IsZero() {
		return a.Start
	}
	return a.End
}

// ReceiptColumns are the columns ScanReceipt reads, in its order.
const ReceiptColumns = `key, digest, accepted, at`

// ScanReceipt reads a receipt from a row of ReceiptColumns; at is in Unix
// milliseconds.
func ScanReceipt(row Scanner) (engine.Receipt, error) {
	var r engine.Receipt
	var at int64
	err := row.Scan(&r.Key, &r.Digest, &r.Accepted, &at)
	r.At = time.UnixMilli(at).UTC()
	return r, err
}
