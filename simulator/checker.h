#pragma once
// Checker: watches every send, every SEND_ACK and every delivery to the application, from outside
// the engine, and reports the invariants of docs/../FIRE_TESTS (docs/simulator.md):
//   lost        acknowledged by the server (SEND_ACK OK) but never delivered (checked at the end)
//   duplicated  delivered to the application twice
//   reordered   delivered before a message its sender sent earlier to the same recipient
//   phantom     delivered but never sent
//   misdirected delivered to a user it was not sent to
//   corrupted   delivered with a payload other than the one sent
//   protocol    bytes a client or a node could not decode (reported by the driver)
// Each violation names the message ("sender#client_msg_id") for the report's anomaly lists.

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace iris::sim {

// The p-th quantile (p in [0, 1], nearest rank) of samples, in their unit; 0 for none. Every
// latency figure of the simulator, the reports and the console is taken this way.
double percentile(std::vector<std::uint64_t> samples, double p);

struct Violation {
  std::string kind;
  std::string id;  // the message, "sender#client_msg_id" ("" when no message is at fault)
  std::string detail;
};

class Checker {
 public:
  // `sent_us` is when the send was scheduled (open-loop load: a client that had to wait does not
  // hide the wait from the latency).
  void on_send(const std::string& sender, const std::string& recipient, std::uint64_t cid,
               const std::string& payload, std::uint64_t sent_us);
  void on_acked(const std::string& sender, std::uint64_t cid, std::uint64_t now_us);
  void on_delivered(const std::string& recipient, const std::string& sender, std::uint64_t cid,
                    const std::string& payload, std::uint64_t now_us);

  // The application did not ACK this delivery and its session ended: the node will deliver it
  // again, and that is not a duplicate (order restarts from it).
  void on_released(const std::string& recipient, const std::string& sender, std::uint64_t cid);

  // Acked messages not delivered (yet). At the end of a run every one of them is lost.
  std::uint64_t undelivered_acked() const { return acked_ - acked_delivered_; }
  // A violation seen outside the message flow (e.g. undecodable bytes).
  void report(const std::string& kind, std::string detail) { violate(kind, {}, std::move(detail)); }
  // Sent but not acknowledged (yet): "sender#cid -> recipient", at most `limit`.
  std::vector<std::string> unacknowledged(std::size_t limit) const;
  // Adds a "lost" violation per acked message never delivered. Call once, at the end.
  void finish();

  std::uint64_t sent() const { return sent_; }
  std::uint64_t acked() const { return acked_; }
  std::uint64_t delivered() const { return delivered_; }
  std::uint64_t released() const { return released_; }
  // Every delivery to an application, redeliveries of released ones included (never decreases).
  std::uint64_t deliveries() const { return deliveries_; }
  std::uint64_t count(const std::string& kind) const;
  // The first violations of each kind (at most kKeptPerKind each); count() has them all.
  static constexpr std::size_t kKeptPerKind = 200;
  const std::vector<Violation>& violations() const { return violations_; }
  bool ok() const { return violations_.empty(); }
  // Latency from the (scheduled) send to delivery, microseconds, one sample per message, in the
  // order of delivery.
  const std::vector<std::uint64_t>& latencies_us() const { return latencies_; }
  // From the (scheduled) send to its SEND_ACK(OK), microseconds, in the order of the acks.
  const std::vector<std::uint64_t>& ack_latencies_us() const { return ack_latencies_; }
  std::uint64_t last_delivery_us() const { return last_delivery_us_; }

 private:
  struct Sent {
    std::string recipient;
    std::uint64_t payload_hash = 0;
    std::uint64_t sent_us = 0;
    bool acked = false;
    bool delivered = false;
  };
  void violate(const std::string& kind, std::string msg, std::string detail);

  std::unordered_map<std::string, std::map<std::uint64_t, Sent>> by_sender_;
  std::unordered_map<std::string, std::uint64_t> last_cid_;  // recipient + '\0' + sender
  std::map<std::string, std::uint64_t> counts_;
  std::vector<Violation> violations_;
  std::vector<std::uint64_t> latencies_;
  std::vector<std::uint64_t> ack_latencies_;
  std::uint64_t sent_ = 0, acked_ = 0, delivered_ = 0, acked_delivered_ = 0, released_ = 0;
  std::uint64_t deliveries_ = 0;
  std::uint64_t last_delivery_us_ = 0;
};

}  // namespace iris::sim
