#include "simulator/local_cluster.h"

#include "engine/net/node_server.h"
#include "engine/store/memory_store.h"

namespace iris::sim {

LocalCluster::LocalCluster(LocalClusterOptions options)
    : options_(options), store_(std::make_unique<store::MemoryStore>()) {
  client_dedup_ = options_.sabotage != core::Sabotage::kDeliverTwice;
  net::ServerOptions o;
  o.core.shards = options_.shards;
  o.core.insecure_dev_login = true;  // virtual users log in with their id, on loopback only
  o.core.max_msgs_per_s = options_.max_msgs_per_s;
  o.core.node_id = "local-0";
  o.core.sabotage = options_.sabotage;
  o.listen = "127.0.0.1:0";
  if (options_.websocket) o.ws_listen = "127.0.0.1:0";
  node_ = std::make_unique<net::NodeServer>(o, *store_, 1);
  if (Status st = node_->start(); !st) {
    start_error_ = "the local node did not start: " + st.message();
    ready_ = false;
    return;
  }
  port_ = options_.websocket ? node_->ws_port() : node_->tcp_port();
}

LocalCluster::~LocalCluster() {
  close_clients();
  if (node_) node_->stop();
}

RealTarget::Endpoint LocalCluster::endpoint(const std::string& user) const {
  return {"127.0.0.1", port_,
          options_.websocket ? client::Transport::kWebSocket : client::Transport::kTcp, user};
}

void LocalCluster::apply(const Fault& fault) {
  if (std::holds_alternative<RecoverAll>(fault)) {
    log_fault(describe(fault));
    all_online();
    return;
  }
  log_fault(describe(fault) + " (not applied: no fault injection on this target)", false);
}

std::uint64_t LocalCluster::stored_rows(const std::string&) const {
  return store_->stats().messages;  // one store; recipients are not told apart here
}

ClusterSnapshot LocalCluster::snapshot() const {
  ClusterSnapshot s = with_checker_totals({});
  NodeSnapshot n;
  n.id = node_id(0);
  n.alive = node_ != nullptr && start_error_.empty();
  if (n.alive) {
    const net::NodeStats st = node_->stats();
    n.sessions = st.sessions;
    n.memory_bytes = st.memory_bytes;
    n.inbox_messages = st.inbox_messages;
    n.sends_accepted = st.accepted;
    n.delivered = st.delivered;
    n.refused_store = st.rejected_store;
    n.refused_retry_later = st.rejected_retry_later;
    n.refused_rate = st.rejected_rate;
    n.hot_promotions = st.hot_promotions;
    n.bucketed_messages = st.bucketed_messages;
    n.store_rows = store_->stats().messages;
  }
  s.nodes.push_back(std::move(n));
  return s;
}

}  // namespace iris::sim
