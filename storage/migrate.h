// storage/migrate.h — moving an install (issue 15): `rasid migrate --to postgresql://…` copies a
// SQLite database into PostgreSQL, so that `rasid run` on the URI continues where the SQLite
// install stopped: nothing alerted again, nothing pending lost.
//
// What is copied, table by table, keys and ids kept: sources with their state, entries seen,
// articles (their search tokens made as PgStore makes them: storage/pg_schema.h), matches,
// stories (articles.story_id and outbox.story_id, so a later copy of a story finds its alerts),
// the outbox with statuses, attempts, schedules, webhook-ids and holds, source identity (GUID
// verdicts) and site templates. Poll leases and instances are not (they belong to running
// instances). Identity sequences are moved past the copied ids.
//
// Consistency: the SQLite file is read inside one read transaction (a snapshot as of one commit,
// even while a daemon writes; what it writes afterwards is not copied — stop it first). The
// target is written in one transaction: all or nothing.
//
// Idempotence: every insert is ON CONFLICT DO NOTHING, so running it again changes nothing
// (every row is counted as already there). A row of the target that has the same key but
// different content (another install's article under the same id, another alert under the same
// id or webhook-id) is a conflict: the migration is refused and rolled back, and the error names
// the table and the first keys — never a silent mix of two installs.
//
// Verification: after the copy (in the same transaction), every table's rows are counted on both
// sides; a target with fewer rows than the source is refused.
//
// Threads: blocking; the CLI's main thread. Failures: Error naming the table and the engine's
// message.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace rasid::storage {

struct TableCopy {
  std::string table;
  std::int64_t source_rows = 0;  // in the SQLite file
  std::int64_t copied = 0;       // inserted now
  std::int64_t present = 0;      // already in the target, identical keys and content
  std::int64_t target_rows = 0;  // in the target afterwards
};

struct MigrateReport {
  std::vector<TableCopy> tables;  // in copy order
  double seconds = 0;
  std::string target;  // the URI, password redacted (storage/pg.h)
};

// Copies the SQLite database at `sqlite_path` (migrated to the latest schema first) into the
// PostgreSQL database `uri` (migrated likewise; storage/pg.h for the password).
Result<MigrateReport> migrate_to_postgresql(const std::string& sqlite_path, const std::string& uri);

}  // namespace rasid::storage
