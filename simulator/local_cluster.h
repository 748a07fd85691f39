#pragma once
// LocalCluster: a FireTarget on a real node — the engine's NodeServer (Boost.Asio threads, real
// sockets on 127.0.0.1, an in-memory store) started in this process — with real clients
// (iris::client::Client over TCP or WebSocket) driven from the caller's thread on real time. For
// the scenarios that need what the simulator does not model (F5: the WebSocket transport). Not
// replayable: real time and threads. Faults other than RecoverAll are not supported here (the
// admin API of real nodes brings them); apply() logs them as not applied.

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
#include "engine/core/config.h"
#include "simulator/target.h"

namespace iris::net {
class NodeServer;
}
namespace iris::store {
class MemoryStore;
}

namespace iris::sim {

struct LocalClusterOptions {
  bool websocket = true;        // clients speak WebSocket (else plain TCP framing)
  std::uint32_t shards = 2;     // router shards (worker threads) of the node
  std::uint32_t max_msgs_per_s = 50'000;
  core::Sabotage sabotage = core::Sabotage::kNone;  // tests of the checkers (config.h)
};

class LocalCluster final : public FireTarget {
 public:
  explicit LocalCluster(LocalClusterOptions options);
  ~LocalCluster() override;
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;

  // Empty when the node started; else why it did not (the target is then unusable).
  const std::string& start_error() const { return start_error_; }

  std::string kind() const override { return "real"; }
  bool replayable() const override { return false; }
  std::uint32_t size() const override { return 1; }
  std::string node_id(std::uint32_t) const override { return "local-0"; }
  std::uint32_t owner_of(const std::string&) const override { return 0; }

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

  void apply(const Fault& fault) override;
  std::vector<FaultRecord> fault_log() const override { return fault_log_; }

  Checker& checker() override { return checker_; }
  bool settled() const override;
  std::vector<std::string> misplaced_sessions() const override { return {}; }
  std::uint64_t stored_rows(const std::string& recipient = {}) const override;
  ClusterSnapshot snapshot() const override;
  std::optional<double> engine_seconds() const override { return std::nullopt; }
  std::uint64_t trace_hash() const override { return 0; }
  std::uint64_t events_run() const override { return events_; }

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
  bool pump_clients();
  void handle_events(User& u);

  LocalClusterOptions options_;
  std::unique_ptr<store::MemoryStore> store_;
  std::unique_ptr<net::NodeServer> node_;
  std::string start_error_;
  std::uint16_t port_ = 0;
  Checker checker_;
  std::map<std::string, std::unique_ptr<User>> users_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::unordered_map<std::uint64_t, std::function<void()>> timer_fns_;
  std::uint64_t timer_seq_ = 0;
  std::uint64_t events_ = 0;
  std::vector<FaultRecord> fault_log_;
};

}  // namespace iris::sim
