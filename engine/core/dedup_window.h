#pragma once
// Remembers a sender's recent client message ids so that a retried SEND is answered with the
// original outcome instead of creating a second message. Bounded: the oldest completed entry is
// forgotten when `capacity` completed entries are held (pending ones are never dropped).
// Single-threaded (owned by the sender's home shard).
//
// Laid out for the common case, a new id above every id seen (answered without a lookup): pending
// ids (a sender's sends in flight, few) in a small hash map; completed ids in a ring in completion
// order, their ids in one contiguous array, so completing and evicting touch only its two ends
// and a retry's lookup is a linear scan of at most `capacity` ids. Nothing is allocated until the
// first send (an idle session's user holds one of these).

#include <algorithm>
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

  explicit DedupWindow(std::uint32_t capacity) : capacity_(std::max<std::uint32_t>(capacity, 1)) {}

  // The entry of `client_msg_id`, or null. Valid until the next call.
  Entry* find(std::uint64_t client_msg_id) {
    if (client_msg_id > max_id_) return nullptr;  // new: the usual case
    if (auto it = pending_.find(client_msg_id); it != pending_.end()) return &it->second;
    for (std::size_t i = done_ids_.size(); i-- > head_;) {
      if (done_ids_[i] == client_msg_id) {
        found_ = Entry{done_server_ids_[i], true};
        return &found_;
      }
    }
    return nullptr;
  }
  // Records a new pending id (caller checked find() first). Pending entries are bounded by the
  // client's in-flight sends and never evicted: a resend must not be stored twice.
  void add_pending(std::uint64_t client_msg_id) {
    pending_.emplace(client_msg_id, Entry{});
    max_id_ = std::max(max_id_, client_msg_id);
  }
  void complete(std::uint64_t client_msg_id, std::uint64_t server_msg_id) {
    auto it = pending_.find(client_msg_id);
    if (it == pending_.end()) return;
    pending_.erase(it);
    done_ids_.push_back(client_msg_id);
    done_server_ids_.push_back(server_msg_id);
    if (done_ids_.size() - head_ > capacity_) evict_oldest_done();
  }
  // The message was refused: forget it so the client's retry is treated as new.
  void forget(std::uint64_t client_msg_id) {
    if (pending_.erase(client_msg_id) != 0) return;
    for (std::size_t i = head_; i < done_ids_.size(); ++i) {
      if (done_ids_[i] != client_msg_id) continue;
      done_ids_.erase(done_ids_.begin() + static_cast<std::ptrdiff_t>(i));
      done_server_ids_.erase(done_server_ids_.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
  }
  std::size_t pending() const { return pending_.size(); }
  bool empty() const { return pending_.empty() && head_ == done_ids_.size(); }

 private:
  // Drops the oldest completed id; the ring's front is reclaimed once it is half the array.
  void evict_oldest_done() {
    ++head_;
    if (head_ >= capacity_ && 2 * head_ >= done_ids_.size()) {
      done_ids_.erase(done_ids_.begin(), done_ids_.begin() + static_cast<std::ptrdiff_t>(head_));
      done_server_ids_.erase(done_server_ids_.begin(),
                             done_server_ids_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }

  std::uint32_t capacity_;
  std::uint64_t max_id_ = 0;  // the highest id ever added
  std::unordered_map<std::uint64_t, Entry> pending_;
  std::vector<std::uint64_t> done_ids_;         // completion order, live from head_
  std::vector<std::uint64_t> done_server_ids_;  // parallel to done_ids_
  std::size_t head_ = 0;
  Entry found_;  // find()'s answer for a completed id
};

}  // namespace iris::core
