// tests/support/pg_cluster.h — a throwaway PostgreSQL cluster for tests (real server, issue 15).
//
// A cluster lives in a fresh temporary directory: its data directory and the Unix socket it
// listens on (listen_addresses = '': no TCP port, so parallel test processes never collide).
// PostgreSQL refuses to run as root: when the test runs as root the server (and initdb) run as
// `nobody` (fork, setgid/setuid, exec), and the directory is handed to that user. The server is
// a child of the test process and gets SIGINT (fast shutdown) if the test process dies.
//
// initdb runs once per machine user and major version into a template directory
// ($TMPDIR/rasid-pg-template-<major>-<uid>, made atomically with rename, ~40 MB, kept between
// runs); each cluster starts from a copy of it, which takes a tenth of a second instead of one.
//
// Authentication (pg_hba.conf): the superuser `postgres` is trusted on the socket; every other
// role must give its password (scram-sha-256) — for the password-source tests.
//
// Binaries: $RASID_PG_BINDIR, else /usr/lib/postgresql/15/bin, else the newest
// /usr/lib/postgresql/*/bin. When they are missing (or the cluster cannot start) the tests skip
// with the reason: `if (!cluster) GTEST_SKIP() << reason;`.
//
// Threads: one thread at a time (the test's).
#pragma once

#include <memory>
#include <string>

namespace rasid::testing {

class PgCluster {
 public:
  // The cluster of this test binary, started on first use and stopped (its directory removed)
  // at exit. nullptr when PostgreSQL cannot run here; `reason` says why.
  static PgCluster* shared(std::string* reason);
  // A cluster of its own (for tests that stop or restart the server).
  static std::unique_ptr<PgCluster> start_new(std::string* reason);
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // A fresh, empty database (t_1, t_2, …) and the URI that reaches it as the superuser:
  // postgresql:///t_1?host=<socket dir>&user=postgres
  std::string create_database();
  // The database name in a URI uri() made ("t_1").
  static std::string database_name(const std::string& uri);
  // The URI of database `db` for `user` (no password in it).
  std::string uri(const std::string& db, const std::string& user = "postgres") const;
  // Creates a login role that must authenticate with `password`, allowed to use database `db`.
  void create_role(const std::string& role, const std::string& password, const std::string& db);
  // Runs SQL as the superuser in `db`; the first value of the first row ("" when none).
  // Throws std::runtime_error with the server's message on failure.
  std::string query(const std::string& db, const std::string& sql);

  // Fast shutdown (SIGINT; clients are disconnected) and start again on the same socket.
  void restart();
  void stop();
  void start();
  bool running() const { return pid_ > 0; }
  const std::string& socket_dir() const { return dir_; }

 private:
  PgCluster() = default;
  std::string dir_;  // socket directory; data in dir_/data
  std::string bindir_;
  int pid_ = -1;  // the postmaster
  int starts_ = 0;
  int databases_ = 0;
  unsigned uid_ = 0, gid_ = 0;
  bool drop_privileges_ = false;
};

}  // namespace rasid::testing
