#pragma once
// SimStore: a node's store on a simulated disk. Requests complete in issue order after the disk's
// latency (plus jitter, stalls); a write takes effect, durably, when it completes — so a crash
// (crash()) loses exactly the writes not yet completed, which nobody was told were durable. Faults:
// latency, stalls, write errors, a full disk. Completions run as World events (never re-entrant).

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/store/store.h"
#include "simulator/sim_world.h"

namespace iris::sim {

struct DiskFaults {
  std::uint64_t latency_us = 300;  // per request (the group commit of a real disk)
  std::uint64_t jitter_us = 200;
  std::uint64_t stall_until_us = 0;  // nothing completes before this time
  bool write_errors = false;         // writes fail with kIoError, changing nothing
  std::uint64_t capacity_bytes = 0;  // 0: unlimited; appends beyond fail with kDiskFull
};

class SimStore final : public store::Store {
 public:
  explicit SimStore(World& world) : world_(world) {}

  void append(std::vector<store::StoredMessage> messages, store::Completion done) override;
  void remove(std::vector<std::uint64_t> ids, store::Completion done) override;
  void list_recipients(store::ListCompletion done) override;
  void load_inbox(std::string recipient, std::uint64_t after_id, std::size_t limit,
                  store::LoadCompletion done) override;
  void put_last_seen(std::string user, std::uint64_t ms, store::Completion done) override;
  void get_last_seen(std::string user, store::LastSeenCompletion done) override;
  Result<std::uint64_t> next_incarnation() override { return ++incarnation_; }
  void flush() override {}  // one thread: nothing can be waited for; drivers run the world
  store::StoreStats stats() const override { return stats_; }

  // The process died: requests not completed never complete and change nothing.
  void crash() { ++generation_; }
  // A disk that lied about fsync: every row is gone. Not a fault a scenario uses; tests use it to
  // prove the checkers catch a loss.
  void wipe() {
    inboxes_.clear();
    recipient_of_.clear();
    stats_.messages = 0;
    used_bytes_ = 0;
  }
  DiskFaults& faults() { return faults_; }
  std::uint64_t used_bytes() const { return used_bytes_; }
  std::uint64_t rows_for(const std::string& recipient) const {
    auto it = inboxes_.find(recipient);
    return it == inboxes_.end() ? 0 : it->second.size();
  }
  // Every row, for checkers (ascending id per recipient).
  std::vector<store::StoredMessage> rows() const;

 private:
  template <typename Fn>
  void complete_later(Fn fn);
  static std::uint64_t row_bytes(const store::StoredMessage& m) {
    return m.payload.size() + m.sender.size() + m.recipient.size() + m.target.size() + 64;
  }

  World& world_;
  DiskFaults faults_;
  std::uint64_t generation_ = 0;
  std::uint64_t last_done_us_ = 0;
  std::unordered_map<std::string, std::map<std::uint64_t, store::StoredMessage>> inboxes_;
  std::unordered_map<std::uint64_t, std::string> recipient_of_;
  std::unordered_map<std::string, std::uint64_t> last_seen_;
  std::uint64_t incarnation_ = 0;
  std::uint64_t used_bytes_ = 0;
  store::StoreStats stats_;
};

}  // namespace iris::sim
