#pragma once
// MemoryStore: an in-memory Store for tests and small runs. Thread-safe (one mutex); every
// completion runs synchronously on the caller's thread, after the state change and with the
// mutex released (so a completion may call back into the store). A null completion is allowed.
// Nothing survives destruction.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "engine/store/store.h"

namespace iris::store {

class MemoryStore final : public Store {
 public:
  MemoryStore() = default;

  void append(std::vector<StoredMessage> messages, Completion done) override;
  void remove(std::vector<std::uint64_t> ids, Completion done) override;
  void load_inbox(std::string recipient, std::uint64_t after_id, std::size_t limit,
                  LoadCompletion done) override;
  void list_recipients(ListCompletion done) override;
  void put_last_seen(std::string user, std::uint64_t ms, Completion done) override;
  void get_last_seen(std::string user, LastSeenCompletion done) override;
  Result<std::uint64_t> next_incarnation() override;
  void flush() override {}  // every request completes before its call returns
  StoreStats stats() const override;

  // Fault injection: while `s` is an error, append/remove/put_last_seen change nothing and
  // complete with `s`. Status::ok() clears it.
  void set_fail_writes(Status s);
  // Likewise for load_inbox (reads fail with `s`, nothing returned).
  void set_fail_reads(Status s);

 private:
  using Inbox = std::map<std::uint64_t, StoredMessage>;  // id -> message, ascending ids

  mutable std::mutex mu_;
  std::unordered_map<std::string, Inbox> inboxes_;        // recipient -> inbox
  std::unordered_map<std::uint64_t, std::string> owner_;  // id -> recipient, for remove()
  std::unordered_map<std::string, std::uint64_t> last_seen_;
  std::uint64_t incarnation_ = 0;
  Status fail_writes_;
  Status fail_reads_;
  StoreStats stats_;
};

}  // namespace iris::store
