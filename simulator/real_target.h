#pragma once
// RealTarget: what every FireTarget on real nodes shares — virtual users as real clients
// (iris::client::Client over TCP or WebSocket) driven from the caller's thread on real time, a
// timer queue for the scenario's schedule, the checker fed from the clients' events, and the
// clients' reconnects. Not replayable: real time, real threads. LocalCluster (one node in this
// process) and RemoteCluster (iris-node processes reached through their admin API) say where each
// user logs in and do the faults.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/client/client.h"
#include "simulator/target.h"

namespace iris::sim {

class RealTarget : public FireTarget {
 public:
  ~RealTarget() override;
  RealTarget(const RealTarget&) = delete;
  RealTarget& operator=(const RealTarget&) = delete;

  std::string kind() const override { return "real"; }
  bool replayable() const override { return false; }

  std::uint64_t now_us() const override;
  void at(std::uint64_t t_us, std::function<void()> fn) override;
  void run_until(std::uint64_t t_us) override;

  void add_client(const std::string& user, const ClientSpec& spec) override;
  void set_online(const std::string& user, bool online) override;
  bool online(const std::string& user) const override;
  void subscribe(const std::string& user, const std::string& target) override;
  void query_presence(const std::string& user, const std::string& target) override;
  const std::vector<PresenceSeen>& presence_seen(const std::string& user) const override;
  std::uint64_t send(const std::string& from, const std::string& to, const std::string& payload,
                     std::uint64_t scheduled_us) override;
  std::uint64_t wire_redeliveries(const std::string& user) const override;
  std::vector<FaultRecord> fault_log() const override { return fault_log_; }

  Checker& checker() override { return checker_; }
  bool settled() const override;
  // Users whose home node sent them elsewhere (REDIRECT): the node and this target disagree on
  // who owns them. Must stay empty.
  std::vector<std::string> misplaced_sessions() const override;
  std::optional<double> engine_seconds() const override { return std::nullopt; }
  std::uint64_t trace_hash() const override { return 0; }
  std::uint64_t events_run() const override { return events_; }

 protected:
  // Where and how a user logs in.
  struct Endpoint {
    std::string host;
    std::uint16_t port = 0;
    client::Transport transport = client::Transport::kTcp;
    std::string token;  // the LOGIN token
  };
  RealTarget();
  virtual Endpoint endpoint(const std::string& user) const = 0;
  // Ends every session (a derived target calls it before it stops its nodes).
  void close_clients();
  void log_fault(std::string what, bool applied = true) {
    fault_log_.push_back({now_us(), std::move(what), applied});
  }
  void all_online();  // every user that a scenario took offline logs in again
  // `s` with the time and the checker's totals (what the clients saw sent, acked, delivered).
  ClusterSnapshot with_checker_totals(ClusterSnapshot s) const {
    s.now_us = now_us();
    s.sent = checker_.sent();
    s.acked = checker_.acked();
    s.delivered = checker_.delivered();
    s.violations = checker_.violations().size();
    return s;
  }

  Checker checker_;
  bool client_dedup_ = true;  // false: the clients pass duplicates on (a checker test)
  bool ready_ = true;         // false: the nodes are not there; no client connects

 private:
  struct User;
  struct Timer {
    std::uint64_t t;
    std::uint64_t seq;
    bool operator>(const Timer& o) const { return t != o.t ? t > o.t : seq > o.seq; }
  };
  User* find(const std::string& user) const;
  void connect(User& u);
  void disconnect(User& u);
  void reconnect_later(User& u);
  bool pump_clients();
  void handle_events(User& u);

  std::map<std::string, std::unique_ptr<User>> users_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::unordered_map<std::uint64_t, std::function<void()>> timer_fns_;
  std::uint64_t timer_seq_ = 0;
  std::uint64_t events_ = 0;
  std::vector<FaultRecord> fault_log_;
};

}  // namespace iris::sim
