#pragma once
// Per-shard metrics: single writer (the shard's thread), readable from any thread, merged by the
// node on read.

#include "engine/metrics/histogram.h"

namespace iris::core {

struct ShardMetrics {
  metrics::Counter connections_opened, logins, login_failures, bad_frames, redirects;
  metrics::Counter sends, sends_accepted, send_retries_deduped, send_rejected_retry_later,
      send_rejected_store, send_rejected_rate, send_rejected_invalid, send_rejected_order;
  metrics::Counter delivered, redelivered, acked, acks_unknown;
  metrics::Counter persisted, persist_batches, persist_errors, persist_skipped_acked, removed;
  metrics::Counter inbox_loads, spilled, slow_consumer_disconnects, replaced_sessions;
  metrics::Counter presence_notices, presence_requests, presence_lost;
  // Cluster: sent straight to the owner node, queued for hinted hand-off, replayed from the
  // queue, taken back from a failed link into the queue, refused by the fence, outcomes that
  // could not be sent back.
  metrics::Counter forwarded, handoff_queued, handoff_replayed, forwards_requeued, routes_fenced,
      outcomes_lost;
  metrics::Gauge handoff_messages;
  // View changes: moved inbox messages sent to their new owner, and taken from an old owner;
  // sends refused while frozen for a proposal that moves their sender or recipient.
  metrics::Counter handover_sent, handover_received, send_rejected_frozen;
  metrics::Counter hot_promotions, hot_demotions, bucketed_messages;
  metrics::Gauge hot_users;
  metrics::Gauge sessions, handshakes, users, memory_bytes, inbox_messages, inflight;
  metrics::Histogram ack_latency_us;       // accepted -> recipient's ACK
  metrics::Histogram deliver_latency_us;   // accepted -> DELIVER queued on the recipient's session
  metrics::Histogram persist_latency_us;   // batch handed to the store -> durable
  metrics::Histogram persist_batch_rows;
};

}  // namespace iris::core
