#pragma once
// Remembers a sender's recent client message ids so that a retried SEND is answered with the
// original outcome instead of creating a second message. Bounded: the oldest completed entry is
// forgotten when `capacity` completed entries are held (pending ones are never dropped). Single-threaded
// (owned by the sender's home shard).

#include <cstdint>
#include <unordered_map>
#include <vector>

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
    if (order_.size() - head_ > 2 * (map_.size() + capacity_)) compact();
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
  // Forgets the oldest completed entry (skipping ids forgotten earlier and pending ones). An
  // evicted slot becomes 0 (never a valid client id: a SEND with id 0 is refused before dedup).
  void evict_oldest_done() {
    for (std::size_t i = head_; i < order_.size(); ++i) {
      if (order_[i] == 0) continue;
      auto m = map_.find(order_[i]);
      if (m == map_.end() || !m->second.done) continue;
      map_.erase(m);
      order_[i] = 0;
      break;
    }
    while (head_ < order_.size() && order_[head_] == 0) ++head_;
    if (head_ == order_.size()) {
      order_.clear();
      head_ = 0;
    } else if (head_ >= 64 && 2 * head_ >= order_.size()) {
      order_.erase(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  // Drops the ids of forgotten entries from order_ (they accumulate lazily).
  void compact() {
    std::vector<std::uint64_t> live;
    live.reserve(map_.size());
    for (std::size_t i = head_; i < order_.size(); ++i) {
      if (order_[i] != 0 && map_.count(order_[i])) live.push_back(order_[i]);
    }
    order_.swap(live);
    head_ = 0;
  }
  std::uint32_t capacity_;
  std::unordered_map<std::uint64_t, Entry> map_;
  // Ids in arrival order from head_ (a vector, not a deque: an empty std::deque allocates ~600
  // bytes up front, and every idle session's user holds one of these windows).
  std::vector<std::uint64_t> order_;
  std::size_t head_ = 0;
  std::size_t pending_ = 0;
};

}  // namespace iris::core
