#pragma once
// Engine core configuration. Every bound the core enforces is named here with its default; the
// defaults suit a laptop. Plain value type, copied into each shard.

#include <cstdint>
#include <string>

namespace iris::core {

// Deliberate defects, for the tests that prove the fire-test checkers can fail (a checker that
// cannot fail proves nothing; docs/fire-tests.md). Each acts once per shard, on its nth occurrence,
// except kStopHandoffReplay, which holds for the whole run. Set only by tests and by
// `iris-fire --sabotage`; no node flag or config file reaches it.
enum class Sabotage : std::uint8_t {
  kNone,
  kAckThenDrop,         // SEND_ACK(OK) for a message that is then never stored nor delivered
  kDeliverTwice,        // one message delivered again under a new server id
  kDeliverOutOfOrder,   // two consecutive messages delivered swapped
  kCorruptPayload,      // one delivery with a flipped payload byte
  kMisdirect,           // one message routed to its sender instead of its recipient
  kPhantom,             // one delivery of a message nobody sent
  kKeepReadRows,        // one ACKed message left in the store
  kStopHandoffReplay,   // hinted hand-off queues never replay
  kLoginAnywhere,       // one login accepted on a node that is not the user's home
  kGarbleFrame,         // one frame to a client sent with a type no decoder knows
};

struct CoreConfig {
  std::string node_id = "node-1";
  std::uint32_t shards = 1;            // router shards; the real driver runs one thread each
  std::string token_secret;            // HMAC key for LOGIN tokens; empty: no token login
  bool insecure_dev_login = false;     // accept a bare user id as token (local play only)

  // Delivery. A message delivered to an online recipient is persisted only if the recipient has
  // not ACKed it within persist_delay_us: most online traffic never touches the disk, and the
  // sender's SEND_ACK still means "durable or delivered-and-acked". Messages for offline
  // recipients are persisted at the end of the turn that accepted them.
  std::uint64_t persist_delay_us = 4'000;
  // DELIVERs awaiting ACK. A hot recipient is fed at (window / its round trip): 256 held one
  // recipient to ~90,000 msg/s here with a backlog of seconds; 1,024 keeps up (docs/performance.md).
  std::uint32_t max_inflight_per_session = 1024;
  std::uint64_t max_inflight_bytes_per_session = 1 << 20;  // payload bytes awaiting ACK
  std::uint32_t user_memory_cap = 1024;    // in-memory messages per user before durable ones spill
  std::uint64_t user_memory_cap_bytes = 4u << 20;  // ... or in-memory bytes per user
  std::uint64_t shard_memory_limit = 256ull << 20;  // message bytes held in memory per shard
  std::uint32_t inbox_load_batch = 1024;   // rows per store read when draining a spilled inbox
  std::uint64_t store_retry_us = 200'000;  // back-off before re-persisting after a store error

  // Slow consumers: a session whose ACK window stays full this long is disconnected with BYE
  // (its messages stay stored and are redelivered at the next login).
  std::uint64_t slow_consumer_timeout_us = 30'000'000;

  // Order under refusals: after refusing a sender's client id X (RETRY_LATER, STORE_UNAVAILABLE),
  // its later ids are refused too until X comes back, so a retry never lands behind a later
  // message. The hold lapses after this long (a sender that gave up on X).
  std::uint64_t order_hold_us = 10'000'000;

  // Client retries: (sender, client_msg_id) remembered per user, the newest entries kept.
  std::uint32_t dedup_window = 4096;

  // Rate limits per session (token buckets, burst = one second's worth).
  double max_msgs_per_s = 50'000;
  double max_bytes_per_s = 64.0 * 1024 * 1024;

  // Hot recipients: over hot_threshold accepted messages/s a recipient's inbox is split into
  // hot_buckets buckets; a sender always maps to one bucket (its order holds), each bucket's rows
  // go to their own store partition (parallel durable writes), delivery merges them in id order.
  // Back to one bucket after hot_cooldown_windows windows under a quarter of the threshold.
  std::uint32_t hot_threshold_msgs_per_s = 5'000;
  std::uint32_t hot_buckets = 4;
  std::uint64_t hot_window_us = 1'000'000;
  std::uint32_t hot_cooldown_windows = 10;

  // Presence.
  std::uint32_t max_subscriptions_per_session = 1024;
  std::uint32_t max_subscribers_per_user = 100'000;
  std::uint64_t presence_coalesce_us = 20'000;  // transitions within this window notify once

  std::uint64_t handshake_timeout_us = 10'000'000;  // HELLO + LOGIN must finish in this time
  std::uint64_t idle_user_gc_us = 60'000'000;       // forget idle, empty user state after this

  Sabotage sabotage = Sabotage::kNone;  // tests only (above)
  std::uint32_t sabotage_nth = 20;
};

}  // namespace iris::core
