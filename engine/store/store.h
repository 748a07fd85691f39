#pragma once
// Store: durable inbox persistence, the seam between the engine core and the disk.
// Implementations: SqliteStore (engine/store/sqlite_store.h), MemoryStore (tests), and the
// simulator's store over a simulated disk.
//
// Threading contract: every method may be called from any thread; completions run on a thread
// chosen by the implementation (SqliteStore: its writer thread; MemoryStore: the caller's). A
// driver that needs completions on a shard's thread wraps them (engine/net does). Completions are
// invoked exactly once, also on shutdown (with Status::unavailable) for requests not yet served.
// Requests issued from one thread are served in the order issued.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "engine/common/status.h"

namespace iris::store {

// One inbox message. `id` is the server message id: unique per node, and increasing per
// recipient in the order the node accepted messages for that recipient.
struct StoredMessage {
  std::uint64_t id = 0;
  std::string recipient;
  std::string sender;
  std::uint64_t client_msg_id = 0;
  std::uint64_t ts_us = 0;   // accept time, Unix microseconds
  std::uint32_t bucket = 0;  // hot-recipient inbox bucket (0 for normal recipients)
  std::string payload;
  // Hinted hand-off rows only (recipient = cluster::handoff_queue_name(node)): the user the
  // message is for. Empty for inbox rows.
  std::string target;
};

struct StoreStats {
  std::uint64_t messages = 0;        // rows in the inbox
  std::uint64_t commits = 0;         // transactions committed
  std::uint64_t rows_written = 0;    // appended rows
  std::uint64_t rows_deleted = 0;
  std::uint64_t write_errors = 0;
};

using Completion = std::function<void(Status)>;
using LoadCompletion = std::function<void(Result<std::vector<StoredMessage>>)>;
using LastSeenCompletion = std::function<void(Result<std::uint64_t>)>;
using ListCompletion = std::function<void(Result<std::vector<std::string>>)>;

class Store {
 public:
  virtual ~Store() = default;

  // Durably appends messages (all or none). `done` runs once they are durable to the configured
  // level (SqliteStore guaranteed mode: committed with synchronous=FULL). Many appends share one
  // transaction (group commit). Status kDiskFull / kIoError when the disk refuses: nothing was
  // written, and the store keeps serving later requests.
  virtual void append(std::vector<StoredMessage> messages, Completion done) = 0;

  // Deletes messages by id (delete after the recipient's ACK). Unknown ids are ignored.
  virtual void remove(std::vector<std::uint64_t> ids, Completion done) = 0;

  // Loads up to `limit` messages for `recipient` with id > after_id, in ascending id order.
  virtual void load_inbox(std::string recipient, std::uint64_t after_id, std::size_t limit,
                          LoadCompletion done) = 0;

  // Every recipient (inbox or hand-off queue) with at least one row, in ascending byte order.
  // A view change's hand-over finds this way the stored inboxes of users the node no longer owns.
  virtual void list_recipients(ListCompletion done) = 0;

  // Last-seen time (Unix ms) of a user; 0 when never seen.
  virtual void put_last_seen(std::string user, std::uint64_t ms, Completion done) = 0;
  virtual void get_last_seen(std::string user, LastSeenCompletion done) = 0;

  // Synchronous, for start-up only: increments and returns the node's incarnation number (1 on a
  // new store). Server message ids embed it, so ids never repeat across restarts.
  virtual Result<std::uint64_t> next_incarnation() = 0;

  // Blocks until every request issued before the call has completed (SIGTERM drain, tests).
  virtual void flush() = 0;

  virtual StoreStats stats() const = 0;
};

}  // namespace iris::store
