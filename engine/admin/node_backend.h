#pragma once
// NodeBackend: the admin API's view of a real node (NodeServer, its peer links, its store) and the
// faults it can do to it. Several faults may be in force at once: the node runs with their
// combination (drops add up, the largest delay, latency and CPU share win, the smallest memory
// limit wins), recomputed whenever one starts or ends.

#include <chrono>
#include <deque>
#include <set>
#include <string>
#include <vector>

#include "engine/admin/admin_api.h"
#include "engine/metrics/histogram.h"
#include "engine/net/node_server.h"
#include "engine/store/faulty_store.h"

namespace iris::admin {

class NodeBackend final : public AdminBackend {
 public:
  // `faulty`: the store the node runs on, or nullptr (then disk faults are refused).
  NodeBackend(net::NodeServer& server, store::FaultyStore* faulty, std::uint64_t incarnation);

  boost::json::object node() override;
  boost::json::object cluster() override;
  boost::json::object metrics() override;
  void prometheus(PrometheusText& out) override;
  Status start_fault(const NodeFault& fault) override;
  void end_fault(const NodeFault& fault) override;
  Result<std::uint64_t> leave(const std::string& node) override;

 private:
  void apply_all();
  // The committed view now (it changes when a join or a leave commits).
  cluster::View view() const;
  std::string self_id() const;

  net::NodeServer& server_;
  store::FaultyStore* faulty_;
  const std::uint64_t incarnation_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::vector<NodeFault> active_;        // in force now
  // Cumulative delivery-latency histograms at earlier metrics() calls, newest last: the
  // "recent" quantiles are those of the difference to the newest one at least a second old.
  std::deque<std::pair<std::chrono::steady_clock::time_point, ::iris::metrics::HistogramSnapshot>> marks_;
  std::set<std::string> paused_users_;   // writes paused now
  std::set<std::uint64_t> down_shards_;   // killed now
};

}  // namespace iris::admin
