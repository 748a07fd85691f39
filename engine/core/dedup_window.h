#pragma once
// Remembers a sender's recent client message ids so that a retried SEND is answered with the
// original outcome instead of creating a second message. Bounded: the oldest entry is forgotten
// when `capacity` is reached. Single-threaded (owned by the sender's home shard).

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
  // Records a new pending id (caller checked find() first).
  void add_pending(std::uint64_t client_msg_id) {
    if (order_.size() >= capacity_) evict_oldest();
    map_.emplace(client_msg_id, Entry{});
    order_.push_back(client_msg_id);
    ++pending_;
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
  void evict_oldest() {
    while (!order_.empty()) {
      auto id = order_.front();
      order_.pop_front();
      auto it = map_.find(id);
      if (it == map_.end()) continue;  // forgotten earlier
      if (!it->second.done) --pending_;
      map_.erase(it);
      return;
    }
  }
  std::uint32_t capacity_;
  std::unordered_map<std::uint64_t, Entry> map_;
  std::deque<std::uint64_t> order_;
  std::size_t pending_ = 0;
};

}  // namespace iris::core
