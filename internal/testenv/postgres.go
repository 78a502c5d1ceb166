package testenv

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Postgres is a PostgreSQL server from the Debian postgresql package that
// a test package shares: started on first use, with a fresh database for
// each test. Declare one per package and stop it in TestMain:
//
//	var pg = testenv.NewPostgres()
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		pg.Stop()
//		os.Exit(code)
//	}
type Postgres struct {
	settings []string

	once    sync.Once
	missing string // why there is no server binary
	err     error  // why the server did not start
	dir     string
	port    int
	cmd     *exec.Cmd
	log     *os.File
	n       atomic.Int64
}

// NewPostgres returns a server to be started on first use, with extra
// settings (name=value). Under go test -bench it keeps PostgreSQL's durable
// defaults (fsync, synchronous_commit), so benchmarks measure durable
// writes; plain tests never crash the server and run without fsync.
func NewPostgres(settings ...string) *Postgres { return &Postgres{settings: settings} }

// benchmarking reports whether go test runs benchmarks (-test.bench).
func benchmarking() bool {
	f := flag.Lookup("test.bench")
	return f != nil && f.Value.String() != ""
}

// Database creates an empty database for the test and returns its URL.
// Without the PostgreSQL server binaries the test is skipped, except under
// CI=true, where it fails.
func (p *Postgres) Database(tb testing.TB) string {
	tb.Helper()
	p.once.Do(p.start)
	if p.missing != "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal(p.missing)
		}
		tb.Skip(p.missing)
	}
	if p.err != nil {
		tb.Fatalf("start PostgreSQL: %v", p.err)
	}
	name := fmt.Sprintf("test_%d", p.n.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.url("postgres"))
	if err != nil {
		tb.Fatalf("connect to PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create database %s: %v", name, err)
	}
	return p.url(name)
}

func (p *Postgres) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.port, db)
}

// PostgresBin returns the directory of the newest installed PostgreSQL
// server binaries (Debian keeps them in /usr/lib/postgresql/VERSION/bin),
// or "" when there are none.
func PostgresBin() string {
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(found, func(i, j int) bool { return pgVersion(found[i]) < pgVersion(found[j]) })
	if len(found) == 0 {
		return ""
	}
	return filepath.Dir(found[len(found)-1])
}

func pgVersion(initdb string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(filepath.Dir(initdb))), 64)
	return v
}

// start runs initdb and postgres in a temporary directory on a free
// loopback port, as the postgres user when run as root (initdb refuses
// root).
func (p *Postgres) start() {
	bin := PostgresBin()
	if bin == "" {
		p.missing = "PostgreSQL server not found in /usr/lib/postgresql/*/bin: apt-get install postgresql"
		return
	}
	p.err = p.run(bin)
	if p.err != nil && p.log != nil {
		b, _ := os.ReadFile(p.log.Name())
		p.err = fmt.Errorf("%w\n%s", p.err, tail(string(b), 2000))
	}
}

func (p *Postgres) run(bin string) error {
	var err error
	if p.dir, err = os.MkdirTemp("", "accord-postgres-"); err != nil {
		return err
	}
	cred, err := postgresUser(p.dir)
	if err != nil {
		return err
	}
	if p.log, err = os.Create(filepath.Join(p.dir, "postgres.log")); err != nil {
		return err
	}
	data := filepath.Join(p.dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Stdout, initdb.Stderr = p.log, p.log
	if err := initdb.Run(); err != nil {
		return fmt.Errorf("initdb: %w", err)
	}
	if p.port, err = freePort(); err != nil {
		return err
	}
	args := []string{"-D", data, "-p", strconv.Itoa(p.port), "-k", p.dir, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"}
	if !benchmarking() {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	for _, s := range p.settings {
		args = append(args, "-c", s)
	}
	p.cmd = exec.Command(filepath.Join(bin, "postgres"), args...)
	// SIGQUIT is PostgreSQL's immediate shutdown: should the test binary
	// die, the server goes with it.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, p.url("postgres"))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections within 60s: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// postgresUser returns the credentials to run the server with: the
// postgres user's, owning dir, when run as root; nil (this user) otherwise.
func postgresUser(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("initdb refuses root, and there is no postgres user to run it as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Stop shuts the server down (fast shutdown) and removes its directory.
func (p *Postgres) Stop() {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { _ = p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			<-done
		}
	}
	if p.log != nil {
		p.log.Close()
	}
	if p.dir != "" && strings.Contains(p.dir, "accord-postgres-") {
		os.RemoveAll(p.dir)
	}
}
