// Command pacer serves the Pacer course platform: one binary, one data
// directory. See README.md for the verbs and flags.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"pacer/auth"
	"pacer/conns"
	"pacer/demo"
	"pacer/media"
	"pacer/server"
	"pacer/storage"
	"pacer/storage/migrate"
	"pacer/storage/postgres"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "pacer:", err)
		os.Exit(1)
	}
}

// run dispatches the verbs: serve (the default), user add, backup.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	verb := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		verb, args = args[0], args[1:]
	}
	switch verb {
	case "serve":
		return serve(args, stdout, stderr)
	case "user":
		if len(args) == 0 || args[0] != "add" {
			return errors.New("usage: pacer user add --data DIR --email E --name N [--admin]")
		}
		return userAdd(args[1:], stdin, stdout)
	case "backup":
		return backup(args, stdout)
	case "migrate":
		return migrateVerb(args, stdout)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, "usage: pacer [serve] [flags] | pacer user add ... | pacer backup --data DIR FILE | pacer migrate --data DIR --to postgres://…")
		return nil
	}
	return fmt.Errorf("unknown verb %q (serve, user add, backup, migrate)", verb)
}

const storeUsage = "bolt (a database in the data directory) or postgres://user:pass@host:port/db?sslmode=…"

const mediaUsage = "where uploaded files live: file (<data>/media) or s3://bucket/prefix?endpoint=http://host:9000&region=us-east-1&path_style=true, " +
	"signed with PACER_S3_ACCESS_KEY_ID and PACER_S3_SECRET_ACCESS_KEY"

// flags is a FlagSet whose every flag has a PACER_* environment twin: the
// environment sets the default, and a flag on the command line wins.
type flags struct{ *flag.FlagSet }

func newFlags(name string) flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	return flags{fs}
}

func envName(flagName string) string {
	return "PACER_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (f flags) str(name, def, usage string) *string {
	if v, ok := os.LookupEnv(envName(name)); ok {
		def = v
	}
	return f.String(name, def, usage+" (env "+envName(name)+")")
}

func (f flags) boolean(name string, def bool, usage string) *bool {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if b, err := strconv.ParseBool(v); err == nil {
			def = b
		}
	}
	return f.Bool(name, def, usage+" (env "+envName(name)+")")
}

func (f flags) integer(name string, def int64, usage string) *int64 {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			def = n
		}
	}
	return f.Int64(name, def, usage+" (env "+envName(name)+")")
}

func (f flags) duration(name string, def time.Duration, usage string) *time.Duration {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if d, err := time.ParseDuration(v); err == nil {
			def = d
		}
	}
	return f.Duration(name, def, usage+" (env "+envName(name)+")")
}

func serve(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve")
	addr := fs.str("addr", ":3000", "listen address")
	data := fs.str("data", "./pacer-data", "data directory")
	store := fs.str("store", "bolt", storeUsage)
	mediaFlag := fs.str("media", "file", mediaUsage)
	pgMaxConns := fs.integer("pg-max-conns", 0, "PostgreSQL connection pool size; 0 = 4 per CPU (at least 4)")
	pgStatementTimeout := fs.duration("pg-statement-timeout", 30*time.Second, "longest a PostgreSQL statement may run; 0 = no limit")
	demoFlag := fs.boolean("demo", false, "seed a sample course on an empty database and print its accounts")
	baseURL := fs.str("base-url", "http://localhost:3000", "public URL, used in e-mails and the calendar feed")
	tick := fs.duration("tick", time.Minute, "how often the scheduler looks for work")
	maxUpload := fs.integer("max-upload-bytes", 2<<30, "largest media upload")
	userQuota := fs.integer("user-quota-bytes", 1<<30, "bytes of submission uploads per user (all courses); 0 = no quota")
	courseQuota := fs.integer("course-quota-bytes", 20<<30, "bytes of course files per course; 0 = no quota")
	authRate := fs.integer("auth-rate", 20, "login/registration attempts per minute per client IP; 0 = no limit")
	smtpURL := fs.str("smtp-url", "", "smtp://user:pass@host:port; empty keeps mail in the outbox")
	mailFrom := fs.str("mail-from", "pacer@localhost", "sender address")
	accessTTL := fs.duration("access-ttl", 15*time.Minute, "access-token lifetime")
	tlsCert := fs.str("tls-cert", "", "TLS certificate file (serve HTTPS)")
	tlsKey := fs.str("tls-key", "", "TLS key file")
	proxies := fs.str("trusted-proxies", "", "comma-separated proxy addresses whose X-Forwarded-For is believed")
	logLevel := fs.str("log-level", "info", "debug, info, warn or error")
	replicaID := fs.str("replica-id", "", "this replica's name in logs and leases; empty = host name and a random suffix")
	headerTimeout := fs.duration("header-timeout", server.DefaultHeaderTimeout,
		"time a connection has to send a request's headers before it is closed")
	idleTimeout := fs.duration("idle-timeout", server.DefaultIdleTimeout, "time a kept-alive connection may wait for its next request")
	writeTimeout := fs.duration("write-timeout", server.DefaultWriteTimeout,
		"time an answer may go without the client reading a byte before the connection is dropped (renewed while a download progresses)")
	maxConns := fs.integer("max-conns", 0,
		"connections open at once; 0 = derived from the open-files limit as (limit - 128) / 2, negative = no cap")
	maxConnsPerIP := fs.integer("max-conns-per-ip", server.DefaultMaxConnsPerIP,
		"connections open at once from one client address (the socket's; trusted proxies are exempt); 0 = 256, negative = no cap")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	// The server's lines carry replica=<id> (server.Config.ReplicaID);
	// main's own lines here say it too.
	if *replicaID == "" {
		*replicaID = server.DefaultReplicaID()
	}
	baseLog := newLogger(stderr, *logLevel)
	log := baseLog.With("replica", *replicaID)
	// Every connection and every file a download sends is a descriptor;
	// use all the system allows before the connection cap is derived.
	nofile, err := conns.RaiseFileLimit()
	if err != nil {
		log.Warn("could not raise the open-files limit", "limit", nofile, "err", err)
	}
	var trusted []string
	for _, p := range strings.Split(*proxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			trusted = append(trusted, p)
		}
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	cfg := server.Config{
		Addr: *addr, DataDir: *data, Store: *store, Media: *mediaFlag,
		S3AccessKeyID: os.Getenv("PACER_S3_ACCESS_KEY_ID"), S3SecretAccessKey: os.Getenv("PACER_S3_SECRET_ACCESS_KEY"), PGMaxConns: int32(*pgMaxConns), PGStatementTimeout: *pgStatementTimeout, BaseURL: *baseURL, Tick: *tick, MaxUploadBytes: *maxUpload,
		UserQuotaBytes: *userQuota, CourseQuotaBytes: *courseQuota,
		AuthRate: int(*authRate), SMTPURL: *smtpURL, MailFrom: *mailFrom, AccessTTL: *accessTTL,
		JWTSecret: os.Getenv("PACER_JWT_SECRET"), TLSCert: *tlsCert, TLSKey: *tlsKey,
		TrustedProxies: trusted, Log: baseLog, HeaderTimeout: *headerTimeout, IdleTimeout: *idleTimeout,
		WriteTimeout: *writeTimeout, MaxConns: int(*maxConns), MaxConnsPerIP: int(*maxConnsPerIP),
		ReplicaID: *replicaID,
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	if *demoFlag {
		accounts, err := demo.Seed(srv)
		if err != nil {
			srv.Close(context.Background())
			return fmt.Errorf("seed demo: %w", err)
		}
		printAccounts(stdout, *baseURL, accounts)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := srv.Serve(ctx, nil); err != nil {
		return err
	}
	log.Info("stopped cleanly")
	return nil
}

func printAccounts(w io.Writer, baseURL string, accounts []demo.Account) {
	if len(accounts) == 0 {
		fmt.Fprintf(w, "Pacer demo: the database already holds data; no accounts were added.\nOpen %s\n", baseURL)
		return
	}
	fmt.Fprintf(w, "\nPacer demo is ready at %s\nSign in with one of these accounts (passwords are shown only now):\n", baseURL)
	for _, a := range accounts {
		fmt.Fprintf(w, "  %-11s %-28s password: %s\n", a.Role, a.Email, a.Password)
	}
	fmt.Fprintln(w)
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: l}
	if f, ok := w.(*os.File); ok && isTerminal(f) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func userAdd(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := newFlags("user add")
	data := fs.str("data", "./pacer-data", "data directory")
	store := fs.str("store", "bolt", storeUsage)
	email := fs.String("email", "", "e-mail address")
	name := fs.String("name", "", "display name")
	admin := fs.Bool("admin", false, "make the user an administrator")
	if err := fs.Parse(args); err != nil {
		return err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password from standard input: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	e, err := server.OpenEngine(context.Background(), *data, *store, postgres.Options{})
	if err != nil {
		return err
	}
	defer e.Close()
	key, err := server.SigningKey(context.Background(), e, *data, os.Getenv("PACER_JWT_SECRET"))
	if err != nil {
		return err
	}
	svc, err := auth.NewService(key, auth.Config{Tx: e.Tx, Store: e.Stores.Auth, Revisions: e.Stores.Revisions}, nil)
	if err != nil {
		return err
	}
	u, err := svc.CreateUser(context.Background(), auth.NewUser{Email: *email, Password: password, Name: *name}, *admin)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, u.ID)
	return nil
}

// migrateVerb copies a bbolt data directory's database into an empty
// PostgreSQL database (storage/migrate), printing a line per kind of
// record and the totals once the counts are verified, and/or the media
// files of <data>/media into an S3-compatible bucket (--media-to). Without
// --media-to the files stay where they are: start the server with the same
// --data.
func migrateVerb(args []string, stdout io.Writer) error {
	fs := newFlags("migrate")
	data := fs.str("data", "./pacer-data", "data directory holding pacer.db (no server may hold it)")
	to := fs.String("to", "", "postgres:// URL of an empty database")
	mediaTo := fs.String("media-to", "", "copy the media files of <data>/media to s3://bucket/prefix?endpoint=… (credentials: PACER_S3_ACCESS_KEY_ID, PACER_S3_SECRET_ACCESS_KEY)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if (*to == "" && *mediaTo == "") || (*to != "" && !server.IsPostgres(*to)) {
		return errors.New("usage: pacer migrate --data DIR [--to postgres://user:pass@host:port/db] [--media-to s3://bucket/prefix?endpoint=…]")
	}
	if *mediaTo != "" && !strings.HasPrefix(*mediaTo, "s3://") {
		return errors.New("--media-to: give the bucket as s3://bucket/prefix?endpoint=…")
	}
	ctx := context.Background()
	if *to != "" {
		if err := migrateStore(ctx, *data, *to, stdout); err != nil {
			return err
		}
	}
	if *mediaTo != "" {
		return migrateMedia(ctx, *data, *mediaTo, stdout)
	}
	return nil
}

func migrateStore(ctx context.Context, data, to string, stdout io.Writer) error {
	if _, err := os.Stat(filepath.Join(data, storage.FileName)); err != nil {
		return fmt.Errorf("no database to copy in %s: %w", data, err)
	}
	src, err := storage.Open(data, storage.Options{})
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, to, postgres.Options{})
	if err != nil {
		return err
	}
	defer dst.Close()
	rep, err := migrate.Run(ctx, src, dst, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "copied and verified %d records in %s; start pacer with --store and the same --data\n", rep.Total(), rep.Took.Round(time.Millisecond))
	return nil
}

// migrateMedia copies every blob of <data>/media into the bucket under its
// content address, skipping those there already, so that it can be run
// again after an interruption (or after the server took more uploads).
func migrateMedia(ctx context.Context, data, mediaTo string, stdout io.Writer) error {
	dir := filepath.Join(data, "media")
	if _, err := os.Stat(filepath.Join(dir, "blobs")); err != nil {
		return fmt.Errorf("no media files to copy in %s: %w", dir, err)
	}
	from, err := media.OpenFiles(dir)
	if err != nil {
		return err
	}
	to, err := server.OpenBlobs(mediaTo, data, os.Getenv("PACER_S3_ACCESS_KEY_ID"), os.Getenv("PACER_S3_SECRET_ACCESS_KEY"))
	if err != nil {
		return err
	}
	if err := to.Ping(ctx); err != nil {
		return fmt.Errorf("--media-to: the bucket does not answer: %w", err)
	}
	started := time.Now()
	copied, present, err := media.CopyBlobs(ctx, from, to)
	if err != nil {
		return fmt.Errorf("copy media files (%d copied before the error): %w", copied, err)
	}
	fmt.Fprintf(stdout, "copied %d media files in %s (%d were in the bucket already); start pacer with --media %s\n",
		copied, time.Since(started).Round(time.Millisecond), present, mediaTo)
	return nil
}

func backup(args []string, stdout io.Writer) error {
	fs := newFlags("backup")
	data := fs.str("data", "./pacer-data", "data directory")
	store := fs.str("store", "bolt", storeUsage)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: pacer backup --data DIR FILE")
	}
	if server.IsPostgres(*store) {
		return errors.New("backups of a PostgreSQL store are PostgreSQL's own: use pg_dump (see the README's operations section)")
	}
	db, err := storage.Open(*data, storage.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	target := fs.Arg(0)
	tmp, err := os.CreateTemp(filepath.Dir(target), ".pacer-backup-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := db.WriteBackup(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d bytes to %s\n", n, target)
	return nil
}
