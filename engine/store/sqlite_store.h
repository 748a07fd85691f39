#pragma once
// SqliteStore: the durable Store over one SQLite database in WAL mode.
//
// One writer thread owns the connection. Every request (reads included) goes into one queue and
// is served by that thread in queue order, so a thread's requests are served in the order it
// issued them (a load after an append sees the append). The writer drains everything queued,
// runs it as one transaction (group commit, at most max_batch_rows rows), commits, then runs the
// completions in request order. A failed transaction is rolled back whole: its write requests
// complete with the error and nothing of them is stored; later requests are served normally.
//
// Schema (PRAGMA user_version = 1):
//   inbox(id INTEGER PRIMARY KEY, recipient, sender, client_msg_id, ts_us, bucket, payload)
//   last_seen(user PRIMARY KEY, ms), meta(key PRIMARY KEY, value) holding 'incarnation'.
// u64 values are stored as their int64 bit pattern, except inbox.id, which additionally has its
// top bit flipped so that SQLite's signed order equals the u64 order (ORDER BY id, id > ?).

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "engine/store/store.h"

struct sqlite3;

namespace iris::store {

enum class Durability {
  kGuaranteed,  // synchronous=FULL: a completion means the commit was fsynced
  kRelaxed,     // synchronous=NORMAL (WAL): survives a process crash, may lose the last commits
                // on power loss
};

struct SqliteStoreOptions {
  std::string path;  // database file; its parent directory is created if missing
  Durability durability = Durability::kGuaranteed;
  std::size_t max_batch_rows = 4096;     // rows per transaction (one append is never split)
  std::uint32_t max_batch_delay_us = 0;  // 0: commit as soon as the writer is free
  std::size_t max_queue = 65536;         // queued requests; beyond it requests fail unavailable
  int busy_timeout_ms = 5000;
  std::int64_t max_page_count = 0;      // 0: SQLite's default; tests use it to hit SQLITE_FULL
  bool pause_writer_for_tests = false;  // writer idles until resume_writer()
};

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> open(const SqliteStoreOptions& options);

  // Serves everything queued (or, if the writer is paused, completes it with unavailable), then
  // joins the writer. Requests issued during destruction complete with unavailable.
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  void append(std::vector<StoredMessage> messages, Completion done) override;
  void remove(std::vector<std::uint64_t> ids, Completion done) override;
  void load_inbox(std::string recipient, std::uint64_t after_id, std::size_t limit,
                  LoadCompletion done) override;
  void list_recipients(ListCompletion done) override;
  void put_last_seen(std::string user, std::uint64_t ms, Completion done) override;
  void get_last_seen(std::string user, LastSeenCompletion done) override;
  // Runs on the caller's thread with its own short-lived connection (start-up only).
  Result<std::uint64_t> next_incarnation() override;
  // Must not be called from a completion (the writer thread would wait for itself).
  void flush() override;
  StoreStats stats() const override;

  // Test hooks.
  void inject_write_error(int n);  // the next n transactions fail with io_error at commit
  void resume_writer();            // ends pause_writer_for_tests

 private:
  struct Request;
  struct Statements;
  struct TxnDelta;

  explicit SqliteStore(const SqliteStoreOptions& options);
  Status init();
  template <typename Op>
  void enqueue(Op op, std::size_t rows);

  // Writer thread only.
  void writer_loop();
  void serve(std::span<Request> batch);
  std::size_t run_transaction(std::span<Request> reqs);
  Status finish_transaction(Status status, bool wrote);
  Status execute(Request& req, TxnDelta& delta);
  Status exec_append(const std::vector<StoredMessage>& messages, TxnDelta& delta);
  Status exec_remove(const std::vector<std::uint64_t>& ids, TxnDelta& delta);
  Status exec_put_last_seen(const std::string& user, std::uint64_t ms);
  Result<std::vector<StoredMessage>> exec_load(const std::string& recipient, std::uint64_t after_id,
                                               std::size_t limit);
  Result<std::uint64_t> exec_get_last_seen(const std::string& user);
  Result<std::vector<std::string>> exec_list();

  const SqliteStoreOptions options_;
  sqlite3* db_ = nullptr;  // owned; after open() used by the writer thread only
  std::unique_ptr<Statements> stmts_;
  std::thread writer_;

  std::mutex mu_;  // guards the queue state below
  std::condition_variable work_cv_;
  std::vector<Request> queue_;  // at most max_queue requests, plus flush() barriers
  std::size_t queued_rows_ = 0;
  bool paused_ = false;
  bool stopping_ = false;

  std::atomic<int> injected_failures_{0};
  std::atomic<std::uint64_t> messages_{0};
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> rows_written_{0};
  std::atomic<std::uint64_t> rows_deleted_{0};
  std::atomic<std::uint64_t> write_errors_{0};
};

}  // namespace iris::store
