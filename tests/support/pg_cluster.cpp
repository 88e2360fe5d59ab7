#include "tests/support/pg_cluster.h"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/support/process.h"

namespace rasid::testing {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool executable(const std::string& p) { return ::access(p.c_str(), X_OK) == 0; }

// The directory holding initdb and postgres, or "" when there is none.
std::string find_bindir() {
  if (const char* env = std::getenv("RASID_PG_BINDIR"); env && *env) return env;
  if (executable("/usr/lib/postgresql/15/bin/postgres")) return "/usr/lib/postgresql/15/bin";
  std::string best;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string bin = e.path().string() + "/bin";
    if (executable(bin + "/postgres") && executable(bin + "/initdb") && bin > best) best = bin;
  }
  return best;
}

std::string read_tail(const std::string& path, std::size_t max = 2000) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > max ? s.substr(s.size() - max) : s;
}

// fork + (drop privileges) + exec; stdout and stderr to `log`, cwd `cwd`. Everything the child
// needs is prepared before fork (only async-signal-safe calls after it).
pid_t spawn(const std::vector<std::string>& argv, const std::string& log, const std::string& cwd,
            bool drop, uid_t uid, gid_t gid, bool die_with_parent) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid > 0) return pid;
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  const int in = ::open("/dev/null", O_RDONLY);
  if (fd < 0 || in < 0) ::_exit(126);
  ::dup2(in, 0);
  ::dup2(fd, 1);
  ::dup2(fd, 2);
  if (drop) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) ::_exit(125);
  }
  // After setuid: a change of credentials clears the parent-death signal.
  if (die_with_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGINT);
    if (::getppid() != parent) ::_exit(124);
  }
  if (::chdir(cwd.c_str()) != 0) ::_exit(123);
  ::execv(args[0], args.data());
  ::_exit(127);
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void chown_tree(const std::string& path, uid_t uid, gid_t gid) {
  if (::lchown(path.c_str(), uid, gid) != 0)
    throw std::runtime_error("chown " + path + ": " + std::strerror(errno));
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(path, ec))
    if (::lchown(e.path().c_str(), uid, gid) != 0)
      throw std::runtime_error("chown " + e.path().string() + ": " + std::strerror(errno));
}

std::string major_of(const std::string& bindir) {
  // /usr/lib/postgresql/15/bin → 15; elsewhere the PG_VERSION initdb writes decides nothing
  // here, so the directory name stands in.
  const fs::path p(bindir);
  return p.parent_path().filename().string();
}

PGconn* connect_or_throw(const std::string& uri) {
  PGconn* c = PQconnectdb(uri.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string m = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("pg_cluster: connect " + uri + ": " + m);
  }
  return c;
}

}  // namespace

std::unique_ptr<PgCluster> PgCluster::start_new(std::string* reason) {
  const std::string bindir = find_bindir();
  if (bindir.empty() || !executable(bindir + "/initdb") || !executable(bindir + "/postgres")) {
    if (reason)
      *reason =
          "PostgreSQL server binaries not found (install postgresql-15, or set "
          "RASID_PG_BINDIR to the directory of initdb and postgres)";
    return nullptr;
  }
  std::unique_ptr<PgCluster> c(new PgCluster());
  c->bindir_ = bindir;
  try {
    if (::geteuid() == 0) {
      const passwd* pw = ::getpwnam("nobody");
      if (!pw)
        throw std::runtime_error(
            "running as root and there is no user `nobody` to run "
            "PostgreSQL as (it refuses root)");
      c->drop_privileges_ = true;
      c->uid_ = pw->pw_uid;
      c->gid_ = pw->pw_gid;
    } else {
      c->uid_ = ::geteuid();
      c->gid_ = ::getegid();
    }
    c->dir_ = make_temp_dir();
    if (c->drop_privileges_) chown_tree(c->dir_, c->uid_, c->gid_);

    // The template: initdb once, then copies.
    const char* tmp = std::getenv("TMPDIR");
    const std::string base = tmp && *tmp ? tmp : "/tmp";
    const std::string tmpl =
        base + "/rasid-pg-template-" + major_of(bindir) + "-" + std::to_string(c->uid_);
    if (!fs::exists(tmpl + "/PG_VERSION")) {
      const std::string work = c->dir_ + "/initdb";
      const std::string log = c->dir_ + "/initdb.log";
      const pid_t pid = spawn({bindir + "/initdb", "-D", work, "-U", "postgres", "-A", "trust",
                               "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"},
                              log, c->dir_, c->drop_privileges_, c->uid_, c->gid_, false);
      if (wait_exit(pid) != 0) throw std::runtime_error("initdb failed: " + read_tail(log));
      // Renamed into place atomically; when another process was first (or the rename crosses
      // file systems) this cluster simply uses its own.
      if (::rename(work.c_str(), tmpl.c_str()) != 0 &&
          ::rename(work.c_str(), (c->dir_ + "/data").c_str()) != 0)
        throw std::runtime_error("rename " + work + ": " + std::strerror(errno));
    }
    const std::string data = c->dir_ + "/data";
    if (!fs::exists(data)) {
      // cp -a keeps owner and modes (postgres wants its data directory 0700 and its own).
      const pid_t cp =
          spawn({"/bin/cp", "-a", tmpl, data}, c->dir_ + "/cp.log", c->dir_, false, 0, 0, false);
      if (wait_exit(cp) != 0)
        throw std::runtime_error("copy template: " + read_tail(c->dir_ + "/cp.log"));
    }
    write_file(data + "/pg_hba.conf",
               "local all postgres trust\n"
               "local all all scram-sha-256\n");
    if (c->drop_privileges_) chown_tree(data + "/pg_hba.conf", c->uid_, c->gid_);
    c->start();
  } catch (const std::exception& e) {
    if (reason) *reason = std::string("cannot start a PostgreSQL test cluster: ") + e.what();
    return nullptr;
  }
  return c;
}

PgCluster* PgCluster::shared(std::string* reason) {
  static std::string why;
  static std::unique_ptr<PgCluster> cluster = start_new(&why);
  if (!cluster && reason) *reason = why;
  return cluster.get();
}

PgCluster::~PgCluster() {
  stop();
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

void PgCluster::start() {
  if (pid_ > 0) return;
  const std::string log = dir_ + "/postgres." + std::to_string(starts_++) + ".log";
  std::vector<std::string> argv{bindir_ + "/postgres", "-D", dir_ + "/data",      "-k", dir_, "-c",
                                "listen_addresses=",   "-c", "max_connections=60"};
  // Tests trade durability for speed; benchmarks set RASID_PG_DURABLE=1 to measure the server
  // as an operator runs it (fsync, full-page writes, synchronous commit: PostgreSQL's defaults).
  const char* durable = std::getenv("RASID_PG_DURABLE");
  if (!durable || std::string(durable) != "1")
    for (const char* o :
         {"fsync=off", "full_page_writes=off", "synchronous_commit=off", "shared_buffers=16MB"}) {
      argv.push_back("-c");
      argv.push_back(o);
    }
  // Extra server settings, space-separated (benchmarks:
  // shared_preload_libraries=pg_stat_statements).
  if (const char* extra = std::getenv("RASID_PG_OPTIONS")) {
    std::istringstream in(extra);
    for (std::string o; in >> o;) {
      argv.push_back("-c");
      argv.push_back(o);
    }
  }
  pid_ = spawn(argv, log, dir_, drop_privileges_, uid_, gid_, true);
  const std::string ping = "host=" + dir_ + " dbname=postgres user=postgres";
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (PQping(ping.c_str()) != PQPING_OK) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("postgres exited: " + read_tail(log));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      stop();
      throw std::runtime_error("postgres not ready after 60 s: " + read_tail(log));
    }
    std::this_thread::sleep_for(20ms);
  }
}

void PgCluster::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGINT);  // fast shutdown
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) != pid_) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  pid_ = -1;
}

void PgCluster::restart() {
  stop();
  start();
}

std::string PgCluster::uri(const std::string& db, const std::string& user) const {
  return "postgresql:///" + db + "?host=" + dir_ + "&user=" + user;
}

std::string PgCluster::database_name(const std::string& uri) {
  const std::size_t b = uri.find(":///");
  if (b == std::string::npos) return {};
  const std::size_t e = uri.find('?', b + 4);
  return uri.substr(b + 4, e == std::string::npos ? std::string::npos : e - b - 4);
}

std::string PgCluster::create_database() {
  const std::string name = "t_" + std::to_string(++databases_);
  query("postgres", "CREATE DATABASE " + name);
  return uri(name);
}

void PgCluster::create_role(const std::string& role, const std::string& password,
                            const std::string& db) {
  PGconn* c = connect_or_throw(uri(db));
  char* lit = PQescapeLiteral(c, password.c_str(), password.size());
  const std::string sql = "CREATE ROLE " + role + " LOGIN PASSWORD " + lit;
  PQfreemem(lit);
  PQfinish(c);
  query(db, sql);
  query(db, "GRANT ALL ON DATABASE " + db + " TO " + role);
  query(db, "GRANT ALL ON SCHEMA public TO " + role);
}

std::string PgCluster::query(const std::string& db, const std::string& sql) {
  PGconn* c = connect_or_throw(uri(db));
  PGresult* r = PQexec(c, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    std::string m = PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(c);
    throw std::runtime_error("pg_cluster: " + sql + ": " + m);
  }
  std::string out;
  if (PQntuples(r) > 0 && PQnfields(r) > 0) out = PQgetvalue(r, 0, 0);
  PQclear(r);
  PQfinish(c);
  return out;
}

}  // namespace rasid::testing
