#pragma once
// Mailbox of one worker: what other workers hand it (cross-shard messages, forwarded frames and
// writes of connections that live on another worker). One lock-free SPSC ring per source worker,
// so the message path takes no lock: producers stage items during a turn and move them into the
// ring at the turn's end; the consumer is woken (one io_context post) only when it was idle.
// Routes (client messages) may fill a ring to 3/4; the rest is kept for control messages, which
// are never refused (a producer keeps what does not fit and pushes it on a later turn).

#include <atomic>
#include <cstring>
#include <span>
#include <cstdint>
#include <deque>
#include <memory>
#include <variant>
#include <vector>

#include "engine/core/shard_message.h"
#include "engine/net/spsc_ring.h"
#include "engine/protocol/frames.h"

namespace iris::net {

// Connection traffic between the worker owning a socket and the shard owning its session.
// Frames and writes travel in batches: one item (one buffer) carries every frame a turn read, or
// every write a turn produced, for connections of one target worker, so a forwarded message costs
// a copy and no allocation of its own.
struct Forwarded {
  enum class Kind : std::uint8_t { kFrames, kSends, kClose, kClosed, kStreamError };
  Kind kind = Kind::kFrames;
  core::ConnId conn = 0;            // kClose, kClosed, kStreamError
  std::vector<std::uint8_t> bytes;  // kFrames: whole frames; kSends: bytes to write (records)
  protocol::ErrorCode code = protocol::ErrorCode::kBadFrame;

  // A record of a batch: [ConnId][u32 length][bytes], host byte order (never leaves the process).
  static constexpr std::size_t kRecordHeader = sizeof(core::ConnId) + sizeof(std::uint32_t);
  static constexpr std::size_t kMaxBatchBytes = 256 * 1024;  // then the next item starts a batch
  void append(core::ConnId c, std::span<const std::uint8_t> data) {
    const auto len = static_cast<std::uint32_t>(data.size());
    const std::size_t at = bytes.size();
    bytes.resize(at + kRecordHeader + data.size());
    std::memcpy(bytes.data() + at, &c, sizeof c);
    std::memcpy(bytes.data() + at + sizeof c, &len, sizeof len);
    if (!data.empty()) std::memcpy(bytes.data() + at + kRecordHeader, data.data(), data.size());
  }
  // Calls f(conn, bytes) for each record, in order.
  template <typename F>
  void for_each_record(F&& f) const {
    for (std::size_t at = 0; at + kRecordHeader <= bytes.size();) {
      core::ConnId c = 0;
      std::uint32_t len = 0;
      std::memcpy(&c, bytes.data() + at, sizeof c);
      std::memcpy(&len, bytes.data() + at + sizeof c, sizeof len);
      at += kRecordHeader;
      f(c, std::span<const std::uint8_t>(bytes.data() + at, len));
      at += len;
    }
  }
};

using MailItem = std::variant<core::ShardMessage, Forwarded>;

inline bool is_route(const MailItem& item) {
  const auto* m = std::get_if<core::ShardMessage>(&item);
  return m != nullptr && std::holds_alternative<core::RouteMessage>(*m);
}

class Mailbox {
 public:
  Mailbox(std::uint32_t sources, std::size_t capacity_per_source) {
    for (std::uint32_t i = 0; i < sources; ++i) {
      rings_.push_back(std::make_unique<SpscRing<MailItem>>(capacity_per_source));
    }
  }

  SpscRing<MailItem>& from(core::ShardId source) { return *rings_[source]; }
  std::size_t sources() const { return rings_.size(); }

  // Producer `source`: may `staged` more routes (plus one) still be queued towards this box?
  bool route_room(core::ShardId source, std::size_t staged) const {
    const auto& r = *rings_[source];
    return r.size() + staged + 1 <= r.capacity() * 3 / 4;
  }

  // Wake-up protocol. A producer calls schedule() after pushing; true means the consumer was
  // idle and the producer must post a drain. The consumer calls unschedule() before popping.
  // Both are read-modify-writes on one atomic (totally ordered): a push is either seen by a
  // drain that starts after it, or its schedule() sees the flag cleared and posts a new drain.
  bool schedule() { return !scheduled_.exchange(true, std::memory_order_seq_cst); }
  void unschedule() { scheduled_.exchange(false, std::memory_order_seq_cst); }

 private:
  std::vector<std::unique_ptr<SpscRing<MailItem>>> rings_;
  std::atomic<bool> scheduled_{false};
};

}  // namespace iris::net
