#pragma once
// LocalCluster: a FireTarget on a real node — the engine's NodeServer (Boost.Asio threads, real
// sockets on 127.0.0.1, an in-memory store) started in this process — with real clients driven
// on real time (RealTarget). For the scenarios that need what the simulator does not model (F5:
// the WebSocket transport). Faults other than RecoverAll are not supported here (RemoteCluster
// does them on iris-node processes through their admin API); apply() logs them as not applied.

#include <memory>
#include <string>

#include "engine/core/config.h"
#include "simulator/real_target.h"

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

class LocalCluster final : public RealTarget {
 public:
  explicit LocalCluster(LocalClusterOptions options);
  ~LocalCluster() override;

  // Empty when the node started; else why it did not (the target is then unusable).
  const std::string& start_error() const { return start_error_; }

  std::uint32_t size() const override { return 1; }
  std::string node_id(std::uint32_t) const override { return "local-0"; }
  std::uint32_t owner_of(const std::string&) const override { return 0; }

  void apply(const Fault& fault) override;
  std::uint64_t stored_rows(const std::string& recipient = {}) const override;
  ClusterSnapshot snapshot() const override;

 protected:
  Endpoint endpoint(const std::string& user) const override;

 private:
  LocalClusterOptions options_;
  std::unique_ptr<store::MemoryStore> store_;
  std::unique_ptr<net::NodeServer> node_;
  std::string start_error_;
  std::uint16_t port_ = 0;
};

}  // namespace iris::sim
