#include "engine/store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <filesystem>
#include <future>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace iris::store {
namespace {

constexpr std::int64_t kSchemaVersion = 2;
constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;

std::int64_t to_i64(std::uint64_t v) {
  return std::bit_cast<std::int64_t>(v);
}
std::uint64_t to_u64(std::int64_t v) {
  return std::bit_cast<std::uint64_t>(v);
}
// inbox.id: flipping the sign bit makes the signed order equal the u64 order (see header).
std::int64_t encode_id(std::uint64_t id) {
  return to_i64(id ^ kSignBit);
}
std::uint64_t decode_id(std::int64_t v) {
  return to_u64(v) ^ kSignBit;
}

template <typename... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <typename... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;  // clang 14 needs the guide (no CTAD for aggregates)

Status sqlite_error(int rc, std::string_view what, std::string_view detail) {
  std::string msg = std::string(what) + ": " + std::string(detail);
  switch (rc & 0xff) {  // primary code of an extended result code
    case SQLITE_FULL:
      return Status::disk_full(std::move(msg));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::corruption(std::move(msg));
    default:
      return Status::io_error(std::move(msg));
  }
}

Status db_error(sqlite3* db, int rc, std::string_view what) {
  return sqlite_error(rc, what, db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

// Same code, message prefixed (e.g. with the database path).
Status with_context(const std::string& context, const Status& s) {
  std::string m = context + ": " + s.message();
  switch (s.code()) {
    case StatusCode::kOk:
      return s;
    case StatusCode::kInvalidArgument:
      return Status::invalid(std::move(m));
    case StatusCode::kNotFound:
      return Status::not_found(std::move(m));
    case StatusCode::kIoError:
      return Status::io_error(std::move(m));
    case StatusCode::kDiskFull:
      return Status::disk_full(std::move(m));
    case StatusCode::kUnavailable:
      return Status::unavailable(std::move(m));
    case StatusCode::kCorruption:
      return Status::corruption(std::move(m));
    case StatusCode::kInternal:
      return Status::internal(std::move(m));
  }
  return Status::internal(std::move(m));
}

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

Result<DbPtr> open_connection(const std::string& path, int flags, int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  // NOMUTEX: each connection is used by one thread at a time (the writer, or the caller of
  // next_incarnation()), so SQLite's per-connection mutex is unnecessary.
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) return db_error(raw, rc, "cannot open '" + path + "'");
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return db;
}

Status exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::ok();
  const std::string detail = err != nullptr ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return sqlite_error(rc, sql, detail);
}

Result<StmtPtr> prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) return db_error(db, rc, sql);
  return StmtPtr(s);
}

// First column of the first row of `sql`, as int64 or text.
Result<std::int64_t> query_int(sqlite3* db, const char* sql) {
  auto stmt = prepare(db, sql);
  if (!stmt) return stmt.status();
  const int rc = sqlite3_step(stmt->get());
  if (rc != SQLITE_ROW) return db_error(db, rc, sql);
  return static_cast<std::int64_t>(sqlite3_column_int64(stmt->get(), 0));
}

Result<std::string> query_text(sqlite3* db, const char* sql) {
  auto stmt = prepare(db, sql);
  if (!stmt) return stmt.status();
  const int rc = sqlite3_step(stmt->get());
  if (rc != SQLITE_ROW) return db_error(db, rc, sql);
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt->get(), 0));
  return std::string(text != nullptr ? text : "");
}

// Runs a statement that yields no row, then resets it. Bindings stay; every caller rebinds all
// parameters before stepping, so SQLITE_STATIC pointers to freed buffers are never read.
int step_reset(sqlite3_stmt* s) {
  const int rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc;
}

void bind_text(sqlite3_stmt* s, int index, const std::string& text) {
  // SQLITE_STATIC: the request owning `text` outlives the step (it is completed afterwards).
  sqlite3_bind_text(s, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string column_string(sqlite3_stmt* s, int col) {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(s, col));
  const int size = sqlite3_column_bytes(s, col);  // after column_blob, as SQLite requires
  return data != nullptr ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

Status ensure_parent_dir(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) return Status::invalid("sqlite store: empty database path");
  const fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) return Status::ok();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) {
    return Status::io_error("cannot create directory '" + parent.string() + "': " + ec.message());
  }
  return Status::ok();
}

constexpr const char* kCreateSchema = R"sql(
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS inbox(
  id INTEGER PRIMARY KEY,
  recipient TEXT NOT NULL,
  sender TEXT NOT NULL,
  client_msg_id INTEGER NOT NULL,
  ts_us INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  payload BLOB NOT NULL,
  target TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS inbox_by_recipient ON inbox(recipient, id);
CREATE TABLE IF NOT EXISTS last_seen(user TEXT PRIMARY KEY, ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
PRAGMA user_version = 2;
COMMIT;
)sql";

// Version 1 -> 2: hinted hand-off rows name their real recipient in `target`.
constexpr const char* kMigrateV1 = R"sql(
BEGIN IMMEDIATE;
ALTER TABLE inbox ADD COLUMN target TEXT NOT NULL DEFAULT '';
PRAGMA user_version = 2;
COMMIT;
)sql";

// Checks the schema version (read-only for a newer one), enables WAL, creates a fresh schema.
Status prepare_schema(sqlite3* db) {
  auto version = query_int(db, "PRAGMA user_version");
  if (!version) return version.status();
  if (*version > kSchemaVersion || *version < 0) {
    return Status::corruption("schema version " + std::to_string(*version) +
                              " is not supported (this build reads version " +
                              std::to_string(kSchemaVersion) + "; written by a newer Iris?)");
  }
  auto mode = query_text(db, "PRAGMA journal_mode=WAL");
  if (!mode) return mode.status();
  if (*mode != "wal") return Status::io_error("cannot enable WAL (journal_mode=" + *mode + ")");
  if (*version == kSchemaVersion) return Status::ok();
  Status s = exec(db, *version == 1 ? kMigrateV1 : kCreateSchema);
  if (!s) (void)exec(db, "ROLLBACK");
  return s;
}

Status configure(sqlite3* db, const SqliteStoreOptions& o) {
  const char* sync = o.durability == Durability::kGuaranteed ? "PRAGMA synchronous=FULL"
                                                             : "PRAGMA synchronous=NORMAL";
  if (Status s = exec(db, sync); !s) return s;
  if (o.max_page_count > 0) {
    const std::string sql = "PRAGMA max_page_count=" + std::to_string(o.max_page_count);
    if (Status s = exec(db, sql.c_str()); !s) return s;
  }
  return Status::ok();
}

}  // namespace

// ---- Requests -----------------------------------------------------------------------------

struct SqliteStore::Request {
  struct Append {
    std::vector<StoredMessage> messages;
    Completion done;
  };
  struct Remove {
    std::vector<std::uint64_t> ids;
    Completion done;
  };
  struct PutLastSeen {
    std::string user;
    std::uint64_t ms;
    Completion done;
  };
  struct Load {
    std::string recipient;
    std::uint64_t after_id;
    std::size_t limit;
    LoadCompletion done;
    std::optional<Result<std::vector<StoredMessage>>> result;  // set before completion
  };
  struct GetLastSeen {
    std::string user;
    LastSeenCompletion done;
    std::optional<Result<std::uint64_t>> result;  // set before completion
  };
  struct Barrier {  // flush(): completes after every request queued before it
    std::promise<void> reached;
  };
  struct List {
    ListCompletion done;
    std::optional<Result<std::vector<std::string>>> result;  // set before completion
  };

  std::variant<Append, Remove, PutLastSeen, Load, GetLastSeen, Barrier, List> op;
  Status status;  // outcome of a write, set by its transaction (ok by default)

  bool is_write() const { return op.index() <= 2; }  // the first three alternatives write
  std::size_t rows() const;
  void fail(const Status& s);  // sets the outcome of any kind of request to `s`
  void complete();             // invokes the completion once, with the outcome
};

std::size_t SqliteStore::Request::rows() const {
  if (const auto* a = std::get_if<Append>(&op)) return a->messages.size();
  if (const auto* r = std::get_if<Remove>(&op)) return r->ids.size();
  return std::holds_alternative<Barrier>(op) ? 0 : 1;
}

void SqliteStore::Request::fail(const Status& s) {
  status = s;
  if (auto* l = std::get_if<Load>(&op)) l->result = s;
  if (auto* g = std::get_if<GetLastSeen>(&op)) g->result = s;
  if (auto* l = std::get_if<List>(&op)) l->result = s;
}

void SqliteStore::Request::complete() {
  // A null completion is allowed (fire and forget).
  std::visit(Overloaded{
                 [this](Append& a) {
                   if (a.done) a.done(std::move(status));
                 },
                 [this](Remove& r) {
                   if (r.done) r.done(std::move(status));
                 },
                 [this](PutLastSeen& p) {
                   if (p.done) p.done(std::move(status));
                 },
                 [](Load& l) {
                   if (l.done) l.done(std::move(*l.result));
                 },
                 [](GetLastSeen& g) {
                   if (g.done) g.done(std::move(*g.result));
                 },
                 [](Barrier& b) { b.reached.set_value(); },
                 [](List& l) {
                   if (l.done) l.done(std::move(*l.result));
                 },
             },
             op);
}

struct SqliteStore::Statements {
  StmtPtr begin, commit, rollback;
  StmtPtr insert, remove, load, put_seen, get_seen, list;
};

struct SqliteStore::TxnDelta {
  std::uint64_t inserted = 0;  // rows really inserted (an existing id is ignored)
  std::uint64_t deleted = 0;
  bool wrote = false;
};

// ---- Open / close -------------------------------------------------------------------------

SqliteStore::SqliteStore(const SqliteStoreOptions& options)
    : options_(options), paused_(options.pause_writer_for_tests) {}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const SqliteStoreOptions& options) {
  std::unique_ptr<SqliteStore> store(new SqliteStore(options));
  if (Status s = store->init(); !s) return s;
  store->writer_ = std::thread([raw = store.get()] { raw->writer_loop(); });
  return store;
}

Status SqliteStore::init() {
  if (Status s = ensure_parent_dir(options_.path); !s) return s;
  auto db = open_connection(options_.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            options_.busy_timeout_ms);
  if (!db) return db.status();
  db_ = db->release();
  const std::string ctx = "sqlite store '" + options_.path + "'";
  if (Status s = prepare_schema(db_); !s) return with_context(ctx, s);
  if (Status s = configure(db_, options_); !s) return with_context(ctx, s);

  stmts_ = std::make_unique<Statements>();
  const std::pair<StmtPtr*, const char*> sql[] = {
      {&stmts_->begin, "BEGIN IMMEDIATE"},
      {&stmts_->commit, "COMMIT"},
      {&stmts_->rollback, "ROLLBACK"},
      {&stmts_->insert,
       "INSERT OR IGNORE INTO inbox(id, recipient, sender, client_msg_id, ts_us, bucket, payload,"
       " target) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
      {&stmts_->remove, "DELETE FROM inbox WHERE id = ?1"},
      {&stmts_->load,
       "SELECT id, sender, client_msg_id, ts_us, bucket, payload, target FROM inbox"
       " WHERE recipient = ?1 AND id > ?2 ORDER BY id LIMIT ?3"},
      {&stmts_->put_seen,
       "INSERT INTO last_seen(user, ms) VALUES(?1, ?2)"
       " ON CONFLICT(user) DO UPDATE SET ms = excluded.ms"},
      {&stmts_->get_seen, "SELECT ms FROM last_seen WHERE user = ?1"},
      {&stmts_->list, "SELECT DISTINCT recipient FROM inbox ORDER BY recipient"},
  };
  for (const auto& [slot, text] : sql) {
    auto stmt = prepare(db_, text);
    if (!stmt) return with_context(ctx, stmt.status());
    *slot = std::move(*stmt);
  }
  auto rows = query_int(db_, "SELECT COUNT(*) FROM inbox");
  if (!rows) return with_context(ctx, rows.status());
  messages_ = static_cast<std::uint64_t>(*rows);
  return Status::ok();
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  stmts_.reset();  // statements before the connection
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Result<std::uint64_t> SqliteStore::next_incarnation() {
  auto db = open_connection(options_.path, SQLITE_OPEN_READWRITE, options_.busy_timeout_ms);
  if (!db) return db.status();
  sqlite3* c = db->get();
  // Always fsynced, whatever the durability mode: an incarnation must never be handed out twice.
  if (Status s = exec(c, "PRAGMA synchronous=FULL"); !s) return s;
  if (Status s = exec(c, "BEGIN IMMEDIATE"); !s) return s;
  auto value = query_int(c,
                         "INSERT INTO meta(key, value) VALUES('incarnation', 1)"
                         " ON CONFLICT(key) DO UPDATE SET value = value + 1 RETURNING value");
  Status s = value ? exec(c, "COMMIT") : value.status();
  if (!s) {
    (void)exec(c, "ROLLBACK");
    return s;
  }
  return to_u64(*value);
}

// ---- Issuing requests (any thread) ----------------------------------------------------------

template <typename Op>
void SqliteStore::enqueue(Op op, std::size_t rows) {
  constexpr bool kBarrier = std::is_same_v<Op, Request::Barrier>;
  Request req{std::move(op), Status::ok()};
  const char* refusal = nullptr;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      refusal = "store stopped";
    } else if (!kBarrier && queue_.size() >= options_.max_queue) {
      refusal = "store queue full";
    } else {
      queue_.push_back(std::move(req));
      queued_rows_ += rows;
    }
  }
  if (refusal != nullptr) {
    req.fail(Status::unavailable(refusal));
    req.complete();
    return;
  }
  work_cv_.notify_one();
}

void SqliteStore::append(std::vector<StoredMessage> messages, Completion done) {
  const std::size_t rows = messages.size();
  enqueue(Request::Append{std::move(messages), std::move(done)}, rows);
}

void SqliteStore::remove(std::vector<std::uint64_t> ids, Completion done) {
  const std::size_t rows = ids.size();
  enqueue(Request::Remove{std::move(ids), std::move(done)}, rows);
}

void SqliteStore::load_inbox(std::string recipient, std::uint64_t after_id, std::size_t limit,
                             LoadCompletion done) {
  enqueue(Request::Load{std::move(recipient), after_id, limit, std::move(done), std::nullopt}, 1);
}

void SqliteStore::put_last_seen(std::string user, std::uint64_t ms, Completion done) {
  enqueue(Request::PutLastSeen{std::move(user), ms, std::move(done)}, 1);
}

void SqliteStore::list_recipients(ListCompletion done) {
  enqueue(Request::List{std::move(done), std::nullopt}, 1);
}

void SqliteStore::get_last_seen(std::string user, LastSeenCompletion done) {
  enqueue(Request::GetLastSeen{std::move(user), std::move(done), std::nullopt}, 1);
}

void SqliteStore::flush() {
  Request::Barrier barrier;
  std::future<void> reached = barrier.reached.get_future();
  enqueue(std::move(barrier), 0);
  reached.wait();
}

StoreStats SqliteStore::stats() const {
  StoreStats s;
  s.messages = messages_.load(std::memory_order_relaxed);
  s.commits = commits_.load(std::memory_order_relaxed);
  s.rows_written = rows_written_.load(std::memory_order_relaxed);
  s.rows_deleted = rows_deleted_.load(std::memory_order_relaxed);
  s.write_errors = write_errors_.load(std::memory_order_relaxed);
  return s;
}

void SqliteStore::inject_write_error(int n) {
  injected_failures_.store(n);
}

void SqliteStore::resume_writer() {
  {
    std::lock_guard lock(mu_);
    paused_ = false;
  }
  work_cv_.notify_all();
}

// ---- Writer thread --------------------------------------------------------------------------

void SqliteStore::writer_loop() {
  std::vector<Request> batch;  // swapped with queue_, so both buffers keep their capacity
  for (;;) {
    bool abandon = false;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || (!paused_ && !queue_.empty()); });
      if (queue_.empty()) return;  // stopping, nothing left
      abandon = paused_;           // stopping while paused: nothing more is served
      if (!abandon && !stopping_ && options_.max_batch_delay_us > 0) {
        const auto deadline = std::chrono::steady_clock::now() +
                              std::chrono::microseconds(options_.max_batch_delay_us);
        work_cv_.wait_until(lock, deadline, [this] {
          return stopping_ || queued_rows_ >= options_.max_batch_rows;
        });
      }
      batch.swap(queue_);
      queued_rows_ = 0;
    }
    if (abandon) {
      for (Request& req : batch) req.fail(Status::unavailable("store stopped"));
      for (Request& req : batch) req.complete();
    } else {
      serve(batch);
    }
    batch.clear();
  }
}

void SqliteStore::serve(std::span<Request> batch) {
  while (!batch.empty()) {
    const std::size_t n = run_transaction(batch);
    for (Request& req : batch.first(n)) req.complete();
    batch = batch.subspan(n);
  }
}

// Runs a prefix of `reqs` (at most max_batch_rows rows, at least one request) as one
// transaction and returns its length. On failure the transaction is rolled back whole: its
// writes get the error, its reads are re-run against the committed state. The prefix ends at
// the failing request, so requests after it get a transaction of their own.
std::size_t SqliteStore::run_transaction(std::span<Request> reqs) {
  std::size_t chunk = 0;
  for (std::size_t rows = 0; chunk < reqs.size(); ++chunk) {
    const std::size_t r = reqs[chunk].rows();
    if (chunk > 0 && rows + r > options_.max_batch_rows) break;
    rows += r;
  }
  TxnDelta delta;
  const int begin_rc = step_reset(stmts_->begin.get());
  Status status = begin_rc == SQLITE_DONE ? Status::ok() : db_error(db_, begin_rc, "begin");
  std::size_t n = status.is_ok() ? 0 : chunk;
  while (status.is_ok() && n < chunk) status = execute(reqs[n++], delta);
  status = finish_transaction(std::move(status), delta.wrote);

  const auto done = reqs.first(n);
  if (status.is_ok()) {
    messages_ += delta.inserted;
    messages_ -= delta.deleted;
    rows_written_ += delta.inserted;
    rows_deleted_ += delta.deleted;
    if (delta.wrote) ++commits_;
    return n;
  }
  if (std::any_of(done.begin(), done.end(), [](const Request& r) { return r.is_write(); })) {
    ++write_errors_;
  }
  TxnDelta unused;
  for (Request& req : done) {
    if (req.is_write()) {
      req.status = status;
    } else {
      (void)execute(req, unused);  // outside any transaction now
    }
  }
  return n;
}

Status SqliteStore::finish_transaction(Status status, bool wrote) {
  if (status.is_ok() && wrote && injected_failures_.load() > 0) {
    injected_failures_.fetch_sub(1);  // only this thread decrements
    status = Status::io_error("injected write error");
  }
  if (status.is_ok()) {
    const int rc = step_reset(stmts_->commit.get());
    if (rc == SQLITE_DONE) return status;
    status = db_error(db_, rc, "commit");
  }
  // Fails harmlessly when SQLite already rolled the transaction back (e.g. after SQLITE_FULL).
  (void)step_reset(stmts_->rollback.get());
  return status;
}

Status SqliteStore::execute(Request& req, TxnDelta& delta) {
  // A failed read fails the transaction only if SQLite rolled it back (autocommit is on again).
  auto read_status = [this](const Status& s) {
    return s.is_ok() || sqlite3_get_autocommit(db_) == 0 ? Status::ok() : s;
  };
  return std::visit(Overloaded{
                        [&](Request::Append& a) {
                          delta.wrote = true;
                          return exec_append(a.messages, delta);
                        },
                        [&](Request::Remove& r) {
                          delta.wrote = true;
                          return exec_remove(r.ids, delta);
                        },
                        [&](Request::PutLastSeen& p) {
                          delta.wrote = true;
                          return exec_put_last_seen(p.user, p.ms);
                        },
                        [&](Request::Load& l) {
                          l.result = exec_load(l.recipient, l.after_id, l.limit);
                          return read_status(l.result->status());
                        },
                        [&](Request::GetLastSeen& g) {
                          g.result = exec_get_last_seen(g.user);
                          return read_status(g.result->status());
                        },
                        [](Request::Barrier&) { return Status::ok(); },
                        [&](Request::List& l) {
                          l.result = exec_list();
                          return read_status(l.result->status());
                        },
                    },
                    req.op);
}

Status SqliteStore::exec_append(const std::vector<StoredMessage>& messages, TxnDelta& delta) {
  sqlite3_stmt* s = stmts_->insert.get();
  for (const StoredMessage& m : messages) {
    sqlite3_bind_int64(s, 1, encode_id(m.id));
    bind_text(s, 2, m.recipient);
    bind_text(s, 3, m.sender);
    sqlite3_bind_int64(s, 4, to_i64(m.client_msg_id));
    sqlite3_bind_int64(s, 5, to_i64(m.ts_us));
    sqlite3_bind_int64(s, 6, m.bucket);
    // Never binds NULL: std::string::data() is non-null even when empty.
    sqlite3_bind_blob(s, 7, m.payload.data(), static_cast<int>(m.payload.size()), SQLITE_STATIC);
    bind_text(s, 8, m.target);
    const int rc = step_reset(s);
    if (rc != SQLITE_DONE) return db_error(db_, rc, "append");
    delta.inserted += static_cast<std::uint64_t>(sqlite3_changes(db_));  // 0 for a known id
  }
  return Status::ok();
}

Status SqliteStore::exec_remove(const std::vector<std::uint64_t>& ids, TxnDelta& delta) {
  sqlite3_stmt* s = stmts_->remove.get();
  for (const std::uint64_t id : ids) {
    sqlite3_bind_int64(s, 1, encode_id(id));
    const int rc = step_reset(s);
    if (rc != SQLITE_DONE) return db_error(db_, rc, "remove");
    delta.deleted += static_cast<std::uint64_t>(sqlite3_changes(db_));  // 0 for an unknown id
  }
  return Status::ok();
}

Status SqliteStore::exec_put_last_seen(const std::string& user, std::uint64_t ms) {
  sqlite3_stmt* s = stmts_->put_seen.get();
  bind_text(s, 1, user);
  sqlite3_bind_int64(s, 2, to_i64(ms));
  const int rc = step_reset(s);
  return rc == SQLITE_DONE ? Status::ok() : db_error(db_, rc, "put_last_seen");
}

Result<std::vector<StoredMessage>> SqliteStore::exec_load(const std::string& recipient,
                                                          std::uint64_t after_id,
                                                          std::size_t limit) {
  sqlite3_stmt* s = stmts_->load.get();
  bind_text(s, 1, recipient);
  sqlite3_bind_int64(s, 2, encode_id(after_id));
  const auto max_limit = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  sqlite3_bind_int64(s, 3, static_cast<std::int64_t>(std::min(limit, max_limit)));
  std::vector<StoredMessage> out;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    StoredMessage& m = out.emplace_back();
    m.id = decode_id(sqlite3_column_int64(s, 0));
    m.recipient = recipient;
    m.sender = column_string(s, 1);
    m.client_msg_id = to_u64(sqlite3_column_int64(s, 2));
    m.ts_us = to_u64(sqlite3_column_int64(s, 3));
    m.bucket = static_cast<std::uint32_t>(sqlite3_column_int64(s, 4));
    m.payload = column_string(s, 5);
    m.target = column_string(s, 6);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return db_error(db_, rc, "load_inbox");
  return out;
}

Result<std::uint64_t> SqliteStore::exec_get_last_seen(const std::string& user) {
  sqlite3_stmt* s = stmts_->get_seen.get();
  bind_text(s, 1, user);
  const int rc = sqlite3_step(s);
  const std::uint64_t ms = rc == SQLITE_ROW ? to_u64(sqlite3_column_int64(s, 0)) : 0;
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_error(db_, rc, "get_last_seen");
  return ms;
}

Result<std::vector<std::string>> SqliteStore::exec_list() {
  sqlite3_stmt* s = stmts_->list.get();
  std::vector<std::string> out;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) out.push_back(column_string(s, 0));
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return db_error(db_, rc, "list_recipients");
  return out;
}

}  // namespace iris::store
