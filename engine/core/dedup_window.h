#pragma once
// Remembers a sender's recent client message ids so that a retried SEND is answered with the
// original outcome instead of creating a second message. Bounded: the oldest completed entry is
// forgotten when `capacity` completed entries are held (pending ones are never dropped). Single-threaded
// (owned by the sender's home shard).

#include <cstdint>
#include <deque>
#include <unordered_map>

namespace iris::core {

class DedupWindow {
 public:
  struct Entry {
    std::uint64_t server_msg_id = 0;  // 0 while pending
    bool done = false;
  };

  explicit DedupWindow(std::uint32_t capacity) : capacity_(capacity) {}

  Entry* find(std::uint64_t client_msg_id) {
    auto it = map_.find(client_msg_id);
    return it == map_.end() ? nullptr : &it->second;
  }
  // Records a new pending id (caller checked find() first). Only completed entries are ever
  // evicted: a pending one must stay until its outcome, or a resend would be stored twice.
  // Pending entries are bounded by the client's in-flight sends.
  void add_pending(std::uint64_t client_msg_id) {
    if (map_.size() - pending_ >= capacity_) evict_oldest_done();
    map_.emplace(client_msg_id, Entry{});
    order_.push_back(client_msg_id);
    ++pending_;
    if (order_.size() > 2 * (map_.size() + capacity_)) compact();
  }
  void complete(std::uint64_t client_msg_id, std::uint64_t server_msg_id) {
    auto it = map_.find(client_msg_id);
    if (it == map_.end() || it->second.done) return;
    it->second = Entry{server_msg_id, true};
    --pending_;
  }
  // The message was refused: forget it so the client's retry is treated as new.
  void forget(std::uint64_t client_msg_id) {
    auto it = map_.find(client_msg_id);
    if (it == map_.end()) return;
    if (!it->second.done) --pending_;
    map_.erase(it);  // its slot in order_ is skipped lazily
  }
  std::size_t pending() const { return pending_; }
  bool empty() const { return map_.empty(); }

 private:
  // Forgets the oldest completed entry (skipping ids forgotten earlier and pending ones).
  void evict_oldest_done() {
    for (auto it = order_.begin(); it != order_.end(); ++it) {
      auto m = map_.find(*it);
      if (m == map_.end() || !m->second.done) continue;
      map_.erase(m);
      order_.erase(it);
      return;
    }
  }
  // Drops the ids of forgotten entries from order_ (they accumulate lazily).
  void compact() {
    std::deque<std::uint64_t> live;
    for (auto id : order_) {
      if (map_.count(id)) live.push_back(id);
    }
    order_.swap(live);
  }
  std::uint32_t capacity_;
  std::unordered_map<std::uint64_t, Entry> map_;
  std::deque<std::uint64_t> order_;
  std::size_t pending_ = 0;
};

}  // namespace iris::core
