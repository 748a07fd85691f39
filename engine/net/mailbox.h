#pragma once
// Mailbox of one worker: what other workers hand it (cross-shard messages, forwarded frames and
// writes of connections that live on another worker). Producers stage items during a turn and
// push them in one batch (one lock per batch and target, not per message). Bounded in routes.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <variant>
#include <vector>

#include "engine/core/shard_message.h"
#include "engine/protocol/frames.h"

namespace iris::net {

// Connection traffic between the worker owning a socket and the shard owning its session.
struct Forwarded {
  enum class Kind : std::uint8_t { kFrame, kSend, kClose, kClosed, kStreamError };
  Kind kind = Kind::kFrame;
  core::ConnId conn = 0;
  std::vector<std::uint8_t> bytes;  // kFrame: one whole frame; kSend: bytes to write
  protocol::ErrorCode code = protocol::ErrorCode::kBadFrame;
};

using MailItem = std::variant<core::ShardMessage, Forwarded>;

class Mailbox {
 public:
  explicit Mailbox(std::uint32_t route_capacity) : route_capacity_(route_capacity) {}

  // Routes already queued plus `routes` more would still fit.
  bool has_room(std::size_t routes) const {
    return queued_routes_.load(std::memory_order_relaxed) + routes <= route_capacity_;
  }
  // Appends a batch; returns true when the consumer must be woken (it was idle).
  bool push(std::vector<MailItem>& batch, std::size_t routes) {
    std::lock_guard lock(mu_);
    for (auto& item : batch) items_.push_back(std::move(item));
    batch.clear();
    queued_routes_.fetch_add(routes, std::memory_order_relaxed);
    bool wake = !scheduled_;
    scheduled_ = true;
    return wake;
  }
  // Takes everything queued; the next push wakes the consumer again.
  void drain(std::vector<MailItem>& out) {
    std::lock_guard lock(mu_);
    out.swap(items_);
    scheduled_ = false;
    queued_routes_.store(0, std::memory_order_relaxed);
  }

 private:
  const std::uint32_t route_capacity_;
  std::mutex mu_;
  std::vector<MailItem> items_;  // guarded by mu_
  bool scheduled_ = false;       // guarded by mu_
  std::atomic<std::size_t> queued_routes_{0};
};

}  // namespace iris::net
