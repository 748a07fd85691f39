#pragma once
// RemoteCluster: a FireTarget on iris-node processes, reached through their admin API (the
// member list, where each member's clients connect, snapshots, faults) and their client
// listeners (virtual users as real clients, RealTarget). `iris-fire --target` runs the scenarios
// marked for real nodes on it. Faults become admin API requests (simulator/admin_faults.h), each
// with a TTL so a fire test that dies leaves nothing broken for long; what a real node cannot do
// (kill, restart) is recorded as not applied. Snapshots are the nodes' /v1/snapshot documents
// merged (simulator/admin_snapshot.h).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "engine/admin/admin_client.h"
#include "engine/cluster/view.h"
#include "simulator/real_target.h"

namespace iris::sim {

struct RemoteClusterOptions {
  std::vector<std::string> admin;  // the nodes' admin API "host:port" (one is enough to start)
  std::string token;               // an operator token for faults (a viewer token: no faults)
  // The nodes' login token secret (they must share one): clients log in with tokens minted from
  // it. Empty: clients log in with their bare user id (nodes run with --insecure-dev-login).
  std::string login_secret;
  std::uint64_t fault_ttl_s = 600;
};

class RemoteCluster final : public RealTarget {
 public:
  explicit RemoteCluster(RemoteClusterOptions options);
  ~RemoteCluster() override;

  // Empty when the cluster was reached and described itself; else why not.
  const std::string& start_error() const { return start_error_; }

  std::uint32_t size() const override { return static_cast<std::uint32_t>(view_.size()); }
  std::string node_id(std::uint32_t node) const override;
  std::uint32_t owner_of(const std::string& user) const override;

  void apply(const Fault& fault) override;
  // The rows of every reached node's store (one recipient's rows cannot be asked for).
  std::uint64_t stored_rows(const std::string& recipient = {}) const override;
  ClusterSnapshot snapshot() const override;

 protected:
  Endpoint endpoint(const std::string& user) const override;

 private:
  std::vector<boost::json::object> documents() const;  // /v1/snapshot of every reached node
  const admin::AdminClient* client_of(std::uint32_t member) const;

  RemoteClusterOptions options_;
  std::string start_error_;
  cluster::View view_;                              // member ids and client addresses
  std::vector<std::unique_ptr<admin::AdminClient>> admin_;  // per member (null: not reached)
};

}  // namespace iris::sim
