#pragma once
// The failure detector's frames (encoded by engine/peer/peer_codec.h as HEARTBEAT and
// HEARTBEAT_ACK). Here, below the core, so that Membership needs nothing of the message layer.

#include <cstdint>

namespace iris::cluster {

struct Heartbeat {
  std::uint64_t seq = 0;
  std::uint64_t sent_us = 0;  // sender's clock, echoed in the ack (round-trip time)
  std::uint64_t epoch = 0;    // the sender's cluster view epoch
  // The highest epoch whose moved users the sender has handed over to their new owners
  // (reconfig.h); a new owner serves users it gained in that epoch only once their old owner's
  // heartbeats say so.
  std::uint64_t handover_epoch = 0;
};

struct HeartbeatAck {
  std::uint64_t seq = 0;           // the Heartbeat's seq
  std::uint64_t echo_sent_us = 0;  // the Heartbeat's sent_us
};

}  // namespace iris::cluster
