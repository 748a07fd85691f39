#include "simulator/remote_cluster.h"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <chrono>

#include "engine/auth/token.h"
#include "engine/net/node_server.h"
#include "simulator/admin_faults.h"
#include "simulator/admin_snapshot.h"

namespace iris::sim {

namespace json = boost::json;

namespace {

Result<json::object> get_json(const admin::AdminClient& c, const std::string& path) {
  auto r = c.request("GET", path);
  if (!r) return r.status();
  if (r->status == 401) return Status::invalid(c.address() + ": wrong or missing token");
  if (r->status != 200) {
    return Status::unavailable(c.address() + ": GET " + path + " answered " +
                               std::to_string(r->status));
  }
  boost::system::error_code ec;
  json::value v = json::parse(r->body, ec);
  if (ec || !v.is_object()) return Status::corruption(c.address() + ": not a JSON object");
  return std::move(v.get_object());
}

}  // namespace

RemoteCluster::RemoteCluster(RemoteClusterOptions options) : options_(std::move(options)) {
  ready_ = false;
  // Who the members are, from the first node that answers; then which admin address is whose.
  std::vector<std::unique_ptr<admin::AdminClient>> reached;
  std::vector<std::string> ids;
  for (const auto& a : options_.admin) {
    auto c = std::make_unique<admin::AdminClient>(a, options_.token);
    auto node = get_json(*c, "/v1/node");
    if (!node) {
      start_error_ = node.status().message();
      continue;
    }
    ids.push_back(json_text(*node, "id"));
    if (view_.members.empty()) {
      auto cl = get_json(*c, "/v1/cluster");
      if (!cl) {
        start_error_ = cl.status().message();
        continue;
      }
      const json::value* members = cl->if_contains("members");
      if (members && members->is_array()) {
        for (const auto& m : members->get_array()) {
          if (!m.is_object()) continue;
          // Only active members own users (a joining, leaving or departed one owns nobody).
          const std::string state = json_text(m.get_object(), "state");
          view_.members.push_back(
              {json_text(m.get_object(), "id"), json_text(m.get_object(), "peer_address"),
               json_text(m.get_object(), "client_address"),
               state.empty() || state == "active" ? cluster::MemberState::kActive
               : state == "joining"               ? cluster::MemberState::kJoining
               : state == "leaving"               ? cluster::MemberState::kLeaving
                                                  : cluster::MemberState::kLeft});
        }
      }
      if (view_.members.empty()) {  // a single node: its own listener
        const json::value* listen = node->if_contains("listen");
        std::uint64_t port = 0;
        if (listen && listen->is_object()) {
          if (const auto* p = listen->get_object().if_contains("tcp"); p && p->is_number())
            port = p->to_number<std::uint64_t>();
        }
        const std::string host = a.substr(0, a.rfind(':'));
        view_.members.push_back({ids.back(), "", host + ":" + std::to_string(port)});
      }
    }
    reached.push_back(std::move(c));
  }
  if (view_.members.empty()) {
    if (start_error_.empty()) start_error_ = "no admin address given (--target host:port,...)";
    return;
  }
  admin_.resize(view_.size());
  for (std::size_t i = 0; i < reached.size(); ++i) {
    const auto m = view_.index_of(ids[i]);
    if (m != cluster::kLocalNode) admin_[m] = std::move(reached[i]);
  }
  for (const auto& m : view_.members) {
    if (m.client_address.empty()) {
      start_error_ = "member " + m.id + " has no client address in the cluster's member list";
      return;
    }
  }
  start_error_.clear();
  ready_ = true;
}

RemoteCluster::~RemoteCluster() {
  close_clients();
  // Faults this run left (a scenario stopped early): end them now rather than at their TTL.
  for (const auto& c : admin_) {
    if (c) (void)c->request("DELETE", "/v1/faults");
  }
}

std::string RemoteCluster::node_id(std::uint32_t node) const {
  return node < view_.size() ? view_.members[node].id : std::string("?");
}

std::uint32_t RemoteCluster::owner_of(const std::string& user) const {
  return view_.owner_of(user);
}

const admin::AdminClient* RemoteCluster::client_of(std::uint32_t member) const {
  return member < admin_.size() ? admin_[member].get() : nullptr;
}

RealTarget::Endpoint RemoteCluster::endpoint(const std::string& user) const {
  const auto& address = view_.members[owner_of(user)].client_address;
  Endpoint ep;
  ep.host = address.substr(0, address.rfind(':'));
  ep.port = static_cast<std::uint16_t>(std::stoul(address.substr(address.rfind(':') + 1)));
  ep.transport = client::Transport::kTcp;
  if (options_.login_secret.empty()) {
    ep.token = user;
  } else {
    ep.token = auth::mint_token_for(options_.login_secret, user, std::chrono::hours(1));
  }
  return ep;
}

void RemoteCluster::apply(const Fault& fault) {
  std::vector<std::string> members;
  for (const auto& m : view_.members) members.push_back(m.id);
  const auto actions = admin_actions(fault, options_.fault_ttl_s, members,
                                     [this](std::uint32_t m) { return client_of(m) != nullptr; });
  std::string outcome;
  const auto note = [&](const std::string& s) { outcome += (outcome.empty() ? "" : "; ") + s; };
  for (const AdminAction& a : actions) {
    switch (a.type) {
      case AdminAction::Type::kRefuse: note("not applied: " + a.what); break;
      case AdminAction::Type::kRecoverAll:
        for (const auto& c : admin_) {
          if (c) (void)c->request("DELETE", "/v1/faults");
        }
        break;
      case AdminAction::Type::kPost: {
        const admin::AdminClient* c = client_of(a.member);
        if (c == nullptr) {
          note("not applied: " + node_id(a.member) + "'s admin API was not reached");
          break;
        }
        auto r = c->request("POST", a.path, a.body);
        if (!r) {
          note("not applied on " + node_id(a.member) + ": " + r.status().message());
        } else if (r->status != a.ok_status && !(a.any_node && r->status == 409)) {
          note("not applied on " + node_id(a.member) + ": HTTP " + std::to_string(r->status) + " " + r->body);
        }
        break;
      }
      case AdminAction::Type::kEndMatching: {
        const admin::AdminClient* c = client_of(a.member);
        if (c == nullptr) break;
        auto list = get_json(*c, "/v1/faults");
        if (!list) break;
        const json::value* faults = list->if_contains("faults");
        if (!faults || !faults->is_array()) break;
        for (const auto& f : faults->get_array()) {
          if (!f.is_object()) continue;
          const auto& o = f.get_object();
          if (!ends(a, json_text(o, "kind"), json_text(o, "peer"), json_text(o, "user"))) continue;
          const json::value* id = o.if_contains("id");
          if (id && id->is_number())
            (void)c->request("DELETE", "/v1/faults/" + std::to_string(id->to_number<std::uint64_t>()));
        }
        break;
      }
    }
  }
  if (std::holds_alternative<RecoverAll>(fault)) all_online();
  log_fault(describe(fault) + (outcome.empty() ? "" : " (" + outcome + ")"), outcome.empty());
  if (!outcome.empty()) spdlog::warn("iris-fire: {}: {}", describe(fault), outcome);
}

std::vector<json::object> RemoteCluster::documents() const {
  std::vector<json::object> docs;
  for (const auto& c : admin_) {
    if (!c) continue;
    if (auto d = get_json(*c, "/v1/snapshot")) docs.push_back(std::move(*d));
  }
  return docs;
}

std::uint64_t RemoteCluster::stored_rows(const std::string&) const {
  std::uint64_t rows = 0;
  for (const auto& n : merge_admin_documents(documents()).nodes) rows += n.store_rows;
  return rows;
}

ClusterSnapshot RemoteCluster::snapshot() const {
  return with_checker_totals(merge_admin_documents(documents()));
}

}  // namespace iris::sim
