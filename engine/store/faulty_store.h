#pragma once
// FaultyStore: a Store that passes every request to another one, with faults an operator can
// switch on while the node runs (the admin API's slow_disk and disk_full): completions held back
// by a latency (in order: one delay line, one thread), appends refused with DISK_FULL. With no
// fault on it costs one relaxed atomic load per request. The inner store must outlive it.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "engine/store/store.h"

namespace iris::store {

class FaultyStore final : public Store {
 public:
  explicit FaultyStore(Store& inner);
  ~FaultyStore() override;  // runs every held completion first

  void set_latency_us(std::uint64_t us) { latency_us_.store(us, std::memory_order_relaxed); }
  void set_disk_full(bool full) { disk_full_.store(full, std::memory_order_relaxed); }
  std::uint64_t latency_us() const { return latency_us_.load(std::memory_order_relaxed); }
  bool disk_full() const { return disk_full_.load(std::memory_order_relaxed); }

  void append(std::vector<StoredMessage> messages, Completion done) override;
  void remove(std::vector<std::uint64_t> ids, Completion done) override;
  void load_inbox(std::string recipient, std::uint64_t after_id, std::size_t limit,
                  LoadCompletion done) override;
  void list_recipients(ListCompletion done) override;
  void put_last_seen(std::string user, std::uint64_t ms, Completion done) override;
  void get_last_seen(std::string user, LastSeenCompletion done) override;
  Result<std::uint64_t> next_incarnation() override { return inner_.next_incarnation(); }
  void flush() override;
  StoreStats stats() const override;

 private:
  // Wraps a completion so that it runs latency_us after the inner store finished (when a
  // latency is set, or completions are still held from one).
  template <typename Done>
  Done delayed(Done done);
  void hold(std::function<void()> fn);
  void run();

  Store& inner_;
  std::atomic<std::uint64_t> latency_us_{0};
  std::atomic<bool> disk_full_{false};
  std::atomic<std::uint64_t> refused_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::uint64_t, std::function<void()>>> held_;  // (due, completion)
  std::atomic<std::size_t> held_count_{0};
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace iris::store
