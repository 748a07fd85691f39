#pragma once
// FireTarget: the cluster a fire-test scenario runs against. Scenarios are written once against
// this interface; two targets implement it:
//  - SimCluster (sim_cluster.h): the simulator, virtual time, every run replayable from its seed;
//  - a remote target (real nodes: client sockets plus the admin API, a later part) on real time.
// Time is the target's: at() schedules on its clock and run_until() advances it (virtual time in
// the simulator, real time waiting on sockets for real nodes). A Checker outside the engine sees
// every send, SEND_ACK and delivery of the target's clients.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "simulator/checker.h"
#include "simulator/faults.h"
#include "simulator/snapshot.h"

namespace iris::sim {

// How a virtual user's client behaves.
struct ClientSpec {
  bool online = true;  // false: created offline; set_online(user, true) logs it in
  // Acknowledge at most this many deliveries on each session, then stop acknowledging (the
  // application "reads" only some); empty: acknowledge every delivery.
  std::optional<std::uint64_t> acks_per_session;
};

// What a user's client was told about presence.
struct PresenceSeen {
  std::string target;
  bool online = false;
  std::uint64_t last_seen_ms = 0;
  std::uint64_t at_us = 0;  // when the client got it (target time)
};

// A fault as it was applied: when (target time) and what.
struct FaultRecord {
  std::uint64_t at_us = 0;
  std::string what;
  bool applied = true;  // false: the target could not make it (the run then fails: it did not
                        // test what the scenario says)
};

class FireTarget {
 public:
  virtual ~FireTarget() = default;

  virtual std::string kind() const = 0;  // "simulator" or "real"
  virtual bool replayable() const = 0;   // true: the same seed replays the run exactly
  virtual std::uint32_t size() const = 0;  // nodes
  virtual std::string node_id(std::uint32_t node) const = 0;
  virtual std::uint32_t owner_of(const std::string& user) const = 0;  // home node of a user

  // Time (microseconds on the target's clock).
  virtual std::uint64_t now_us() const = 0;
  virtual void at(std::uint64_t t_us, std::function<void()> fn) = 0;
  virtual void run_until(std::uint64_t t_us) = 0;

  // Clients.
  virtual void add_client(const std::string& user, const ClientSpec& spec) = 0;
  virtual void set_online(const std::string& user, bool online) = 0;
  virtual bool online(const std::string& user) const = 0;  // logged in right now
  virtual void subscribe(const std::string& user, const std::string& target) = 0;
  virtual void query_presence(const std::string& user, const std::string& target) = 0;
  virtual const std::vector<PresenceSeen>& presence_seen(const std::string& user) const = 0;
  // Sends from `from`'s client now; the checker records `scheduled_us` as its send time (open
  // loop: a send that had to wait still counts its latency from the schedule). Returns the client
  // message id, 0 if the client refused it (too many pending).
  virtual std::uint64_t send(const std::string& from, const std::string& to,
                             const std::string& payload, std::uint64_t scheduled_us) = 0;
  // Deliveries the user's client dropped as duplicates (redeliveries on the wire).
  virtual std::uint64_t wire_redeliveries(const std::string& user) const = 0;

  // Faults.
  virtual void apply(const Fault& fault) = 0;
  virtual std::vector<FaultRecord> fault_log() const = 0;

  // Observing.
  virtual Checker& checker() = 0;
  // Every client's sends answered and every acknowledged message delivered.
  virtual bool settled() const = 0;
  // Users with a session on more than one node, or on a node that is not their home, right now
  // (must stay empty: a user's home owns it, and only its home).
  virtual std::vector<std::string> misplaced_sessions() const = 0;
  // Rows in the stores of live nodes; for one recipient (its inbox and buckets) if given.
  virtual std::uint64_t stored_rows(const std::string& recipient = {}) const = 0;
  virtual ClusterSnapshot snapshot() const = 0;
  // Engine-only CPU time so far (seconds), where the target can measure it; empty otherwise.
  virtual std::optional<double> engine_seconds() const = 0;
  virtual std::uint64_t trace_hash() const = 0;  // 0 where there is none
  virtual std::uint64_t events_run() const = 0;
};

}  // namespace iris::sim
