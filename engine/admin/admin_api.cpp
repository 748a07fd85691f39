#include "engine/admin/admin_api.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>

#include "engine/common/logging.h"

namespace iris::admin {

namespace json = boost::json;

namespace {

HttpResponse answer(int status, json::object body) {
  HttpResponse r;
  r.status = status;
  r.body = json::serialize(body);
  r.body += '\n';
  return r;
}

HttpResponse error(int status, std::string_view why) {
  return answer(status, {{"error", why}});
}

// Path without the query string.
std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

Result<std::uint64_t> whole(const json::object& o, std::string_view key, std::uint64_t lo,
                            std::uint64_t hi) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return Status::invalid(std::string(key) + " is required");
  std::uint64_t n = 0;
  if (v->is_uint64()) {
    n = v->as_uint64();
  } else if (v->is_int64() && v->as_int64() >= 0) {
    n = static_cast<std::uint64_t>(v->as_int64());
  } else {
    return Status::invalid(std::string(key) + " must be a whole number");
  }
  if (n < lo || n > hi) {
    return Status::invalid(std::string(key) + " must be between " + std::to_string(lo) + " and " +
                           std::to_string(hi));
  }
  return n;
}

Result<std::string> text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return Status::invalid(std::string(key) + " is required");
  if (!v->is_string() || v->as_string().empty() || v->as_string().size() > 128)
    return Status::invalid(std::string(key) + " must be a non-empty string (at most 128 bytes)");
  return std::string(v->as_string());
}

}  // namespace

const char* to_string(NodeFault::Kind kind) {
  switch (kind) {
    case NodeFault::Kind::kPeerDrop: return "peer_drop";
    case NodeFault::Kind::kPeerDelay: return "peer_delay";
    case NodeFault::Kind::kSlowDisk: return "slow_disk";
    case NodeFault::Kind::kDiskFull: return "disk_full";
    case NodeFault::Kind::kCpuBurn: return "cpu_burn";
    case NodeFault::Kind::kMemoryPressure: return "memory_pressure";
    case NodeFault::Kind::kSlowConsumer: return "slow_consumer";
    case NodeFault::Kind::kShardDown: return "shard_down";
  }
  return "?";
}

const char* to_string(NodeFault::Direction d) {
  switch (d) {
    case NodeFault::Direction::kBoth: return "both";
    case NodeFault::Direction::kOut: return "out";
    case NodeFault::Direction::kIn: return "in";
  }
  return "?";
}

std::string describe(const NodeFault& f) {
  std::string s = to_string(f.kind);
  switch (f.kind) {
    case NodeFault::Kind::kPeerDrop:
      s += " " + f.peer + " " + to_string(f.direction);
      break;
    case NodeFault::Kind::kPeerDelay:
      s += " " + f.peer + " " + to_string(f.direction) + " +" + std::to_string(f.delay_ms) + " ms";
      break;
    case NodeFault::Kind::kSlowDisk: s += " " + std::to_string(f.latency_ms) + " ms"; break;
    case NodeFault::Kind::kDiskFull: break;
    case NodeFault::Kind::kCpuBurn: s += " " + std::to_string(static_cast<int>(f.percent)) + "%"; break;
    case NodeFault::Kind::kMemoryPressure: s += " " + std::to_string(f.shard_bytes) + " B/shard"; break;
    case NodeFault::Kind::kSlowConsumer: s += " " + f.user; break;
    case NodeFault::Kind::kShardDown: s += " " + std::to_string(f.shard); break;
  }
  return s;
}

json::object to_json(const NodeFault& f) {
  json::object o{{"kind", to_string(f.kind)}, {"ttl_s", f.ttl_s}};
  switch (f.kind) {
    case NodeFault::Kind::kPeerDelay: o["delay_ms"] = f.delay_ms; [[fallthrough]];
    case NodeFault::Kind::kPeerDrop:
      o["peer"] = f.peer;
      o["direction"] = to_string(f.direction);
      break;
    case NodeFault::Kind::kSlowDisk: o["latency_ms"] = f.latency_ms; break;
    case NodeFault::Kind::kDiskFull: break;
    case NodeFault::Kind::kCpuBurn: o["percent"] = static_cast<std::uint64_t>(f.percent); break;
    case NodeFault::Kind::kMemoryPressure: o["shard_bytes"] = f.shard_bytes; break;
    case NodeFault::Kind::kSlowConsumer: o["user"] = f.user; break;
    case NodeFault::Kind::kShardDown: o["shard"] = f.shard; break;
  }
  return o;
}

Result<NodeFault> parse_fault(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return Status::invalid("malformed JSON: " + ec.message());
  if (!v.is_object()) return Status::invalid("the body must be a JSON object");
  const json::object& o = v.as_object();
  auto kind_name = text(o, "kind");
  if (!kind_name) return kind_name.status();
  NodeFault f;
  static const std::pair<const char*, NodeFault::Kind> kinds[] = {
      {"peer_drop", NodeFault::Kind::kPeerDrop},         {"peer_delay", NodeFault::Kind::kPeerDelay},
      {"slow_disk", NodeFault::Kind::kSlowDisk},         {"disk_full", NodeFault::Kind::kDiskFull},
      {"cpu_burn", NodeFault::Kind::kCpuBurn},           {"memory_pressure", NodeFault::Kind::kMemoryPressure},
      {"slow_consumer", NodeFault::Kind::kSlowConsumer},   {"shard_down", NodeFault::Kind::kShardDown}};
  bool known = false;
  for (const auto& [name, kind] : kinds) {
    if (*kind_name == name) {
      f.kind = kind;
      known = true;
    }
  }
  if (!known) {
    return Status::invalid("unknown kind '" + *kind_name +
                           "' (peer_drop, peer_delay, slow_disk, disk_full, cpu_burn, "
                           "memory_pressure, slow_consumer, shard_down)");
  }
  auto ttl = whole(o, "ttl_s", 1, 24 * 3600);
  if (!ttl) return ttl.status();
  f.ttl_s = *ttl;
  switch (f.kind) {
    case NodeFault::Kind::kPeerDelay: {
      auto d = whole(o, "delay_ms", 1, 60'000);
      if (!d) return d.status();
      f.delay_ms = *d;
      [[fallthrough]];
    }
    case NodeFault::Kind::kPeerDrop: {
      auto peer = text(o, "peer");
      if (!peer) return peer.status();
      f.peer = *peer;
      if (const json::value* d = o.if_contains("direction")) {
        if (!d->is_string()) return Status::invalid("direction must be both, out or in");
        const std::string_view s = d->as_string();
        if (s == "both") {
          f.direction = NodeFault::Direction::kBoth;
        } else if (s == "out") {
          f.direction = NodeFault::Direction::kOut;
        } else if (s == "in") {
          f.direction = NodeFault::Direction::kIn;
        } else {
          return Status::invalid("direction must be both, out or in");
        }
      }
      break;
    }
    case NodeFault::Kind::kSlowDisk: {
      auto l = whole(o, "latency_ms", 1, 10'000);
      if (!l) return l.status();
      f.latency_ms = *l;
      break;
    }
    case NodeFault::Kind::kDiskFull: break;
    case NodeFault::Kind::kCpuBurn: {
      auto p = whole(o, "percent", 1, 95);
      if (!p) return p.status();
      f.percent = static_cast<double>(*p);
      break;
    }
    case NodeFault::Kind::kMemoryPressure: {
      auto b = whole(o, "shard_bytes", 1024, 1ull << 40);
      if (!b) return b.status();
      f.shard_bytes = *b;
      break;
    }
    case NodeFault::Kind::kSlowConsumer: {
      auto u = text(o, "user");
      if (!u) return u.status();
      f.user = *u;
      break;
    }
    case NodeFault::Kind::kShardDown: {
      auto n = whole(o, "shard", 0, 63);
      if (!n) return n.status();
      f.shard = *n;
      break;
    }
  }
  return f;
}

AdminApi::AdminApi(AdminBackend& backend, AdminTokens tokens, AdminOptions options)
    : backend_(backend), tokens_(std::move(tokens)), options_(options) {}

AdminApi::~AdminApi() {
  std::lock_guard lock(mu_);
  while (!active_.empty()) end(active_.begin(), "shutdown");
}

std::optional<Caller> AdminApi::authorize(const HttpRequest& request) const {
  return tokens_.authorize(request.authorization);
}

HttpResponse AdminApi::handle(const HttpRequest& request, std::uint64_t now_ms) {
  const std::optional<Caller> caller = authorize(request);
  if (!caller) {
    // Nothing more: not whether the token exists, expired or was mistyped.
    HttpResponse r = error(401, "unauthorized");
    r.www_authenticate = true;
    return r;
  }
  if (request.body.size() > options_.max_body_bytes) return error(413, "request body too large");
  std::lock_guard lock(mu_);
  expire_locked(now_ms);
  return route(request, *caller, now_ms);
}

HttpResponse AdminApi::route(const HttpRequest& request, const Caller& caller,
                             std::uint64_t now_ms) {
  const std::string_view path = path_of(request.target);
  const std::string& m = request.method;
  const auto get_only = [&](auto&& make) {
    return m == "GET" ? make() : error(405, "method not allowed");
  };
  if (path == "/v1/node") return get_only([&] { return answer(200, backend_.node()); });
  if (path == "/v1/cluster") return get_only([&] { return answer(200, backend_.cluster()); });
  if (path == "/v1/cluster/leave") {
    if (m != "POST") return error(405, "method not allowed");
    if (caller.role != Role::kOperator) return error(403, "a leave needs an operator token");
    return post_leave(request, caller);
  }
  if (path == "/v1/metrics") return get_only([&] { return answer(200, backend_.metrics()); });
  if (path == "/v1/snapshot") return get_only([&] { return answer(200, snapshot_locked(now_ms)); });
  if (path == "/metrics") {
    return get_only([&] {
      PrometheusText out;
      backend_.prometheus(out);
      HttpResponse r;
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      r.body = out.text();
      return r;
    });
  }
  if (path == "/v1/faults" || path.starts_with("/v1/faults/")) {
    if (m == "GET" && path == "/v1/faults") {
      return answer(200, {{"chaos", options_.enable_chaos}, {"faults", faults_json(now_ms)}});
    }
    if (m != "POST" && m != "DELETE") return error(405, "method not allowed");
    if (caller.role != Role::kOperator) return error(403, "faults need an operator token");
    if (!options_.enable_chaos) {
      return error(403, "chaos is disabled on this node (start it with --enable-chaos)");
    }
    if (m == "POST") {
      if (path != "/v1/faults") return error(405, "method not allowed");
      return post_fault(request, caller, now_ms);
    }
    return delete_faults(std::string(path.substr(std::string_view("/v1/faults").size())), caller);
  }
  return error(404, "no such resource");
}

HttpResponse AdminApi::post_fault(const HttpRequest& request, const Caller& caller,
                                  std::uint64_t now_ms) {
  auto fault = parse_fault(request.body);
  if (!fault) return error(400, fault.status().message());
  if (fault->ttl_s > options_.max_ttl_s) {
    return error(400, "ttl_s must be between 1 and " + std::to_string(options_.max_ttl_s));
  }
  if (active_.size() >= options_.max_faults) return error(409, "too many faults in force");
  if (Status s = backend_.start_fault(*fault); !s) return error(409, s.message());
  const std::uint64_t id = next_id_++;
  Active& a = active_[id];
  a.fault = *fault;
  a.by = caller.name;
  a.started_ms = now_ms;
  a.expires_ms = now_ms + fault->ttl_s * 1000;
  logging::event(spdlog::level::warn, "admin_fault_started",
                 {{"id", std::to_string(id)}, {"fault", describe(*fault)},
                  {"ttl_s", std::to_string(fault->ttl_s)}, {"by", caller.name},
                  {"client", request.client}});
  json::object o = to_json(*fault);
  o["id"] = id;
  o["by"] = caller.name;
  o["expires_in_ms"] = fault->ttl_s * 1000;
  return answer(201, o);
}

// {"node": "n2"}: member n2 leaves the cluster. Accepted (202) once proposed; GET /v1/cluster
// shows it leaving, then left.
HttpResponse AdminApi::post_leave(const HttpRequest& request, const Caller& caller) {
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  if (ec || !body.is_object()) return error(400, "the body must be a JSON object");
  const json::value* node = body.as_object().if_contains("node");
  if (node == nullptr || !node->is_string() || node->as_string().empty()) {
    return error(400, "\"node\": the id of the member that leaves");
  }
  const std::string id(node->as_string());
  auto epoch = backend_.leave(id);
  if (!epoch) {
    const int status = epoch.status().code() == StatusCode::kNotFound          ? 404
                       : epoch.status().code() == StatusCode::kInvalidArgument ? 400
                                                                               : 409;
    return error(status, epoch.status().message());
  }
  logging::event(spdlog::level::warn, "admin_leave_proposed",
                 {{"node", id}, {"epoch", std::to_string(*epoch)}, {"by", caller.name},
                  {"client", request.client}});
  return answer(202, {{"node", id}, {"epoch", *epoch}, {"state", "proposed"}});
}

HttpResponse AdminApi::delete_faults(const std::string& which, const Caller& caller) {
  if (which.empty()) {
    const std::size_t n = active_.size();
    while (!active_.empty()) end(active_.begin(), "recovered by " + caller.name);
    logging::event(spdlog::level::warn, "admin_recover_all",
                   {{"ended", std::to_string(n)}, {"by", caller.name}});
    return answer(200, {{"ended", n}});
  }
  std::uint64_t id = 0;
  const std::string_view digits = std::string_view(which).substr(1);  // after the '/'
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc{} || ptr != digits.data() + digits.size())
    return error(400, "a fault id is a number");
  auto it = active_.find(id);
  if (it == active_.end()) return error(404, "no such fault (it may have expired)");
  end(it, "ended by " + caller.name);
  return answer(200, {{"ended", 1}});
}

void AdminApi::end(std::map<std::uint64_t, Active>::iterator it, const std::string& why) {
  backend_.end_fault(it->second.fault);
  logging::event(spdlog::level::warn, "admin_fault_ended",
                 {{"id", std::to_string(it->first)}, {"fault", describe(it->second.fault)},
                  {"why", why}});
  active_.erase(it);
}

std::size_t AdminApi::expire(std::uint64_t now_ms) {
  std::lock_guard lock(mu_);
  return expire_locked(now_ms);
}

std::size_t AdminApi::expire_locked(std::uint64_t now_ms) {
  std::size_t n = 0;
  for (auto it = active_.begin(); it != active_.end();) {
    auto next = std::next(it);
    if (it->second.expires_ms <= now_ms) {
      end(it, "expired");
      ++n;
    }
    it = next;
  }
  return n;
}

std::uint64_t AdminApi::next_expiry_ms() const {
  std::lock_guard lock(mu_);
  std::uint64_t t = 0;
  for (const auto& [id, a] : active_) t = t == 0 ? a.expires_ms : std::min(t, a.expires_ms);
  return t;
}

json::array AdminApi::faults_json(std::uint64_t now_ms) const {
  json::array out;
  for (const auto& [id, a] : active_) {
    json::object o = to_json(a.fault);
    o["id"] = id;
    o["by"] = a.by;
    o["expires_in_ms"] = a.expires_ms > now_ms ? a.expires_ms - now_ms : 0;
    out.push_back(std::move(o));
  }
  return out;
}

std::string AdminApi::snapshot_json(std::uint64_t now_ms) {
  std::lock_guard lock(mu_);
  expire_locked(now_ms);
  return json::serialize(snapshot_locked(now_ms));
}

json::object AdminApi::snapshot_locked(std::uint64_t now_ms) {
  return {{"node", backend_.node()},
          {"cluster", backend_.cluster()},
          {"metrics", backend_.metrics()},
          {"faults", faults_json(now_ms)},
          {"chaos", options_.enable_chaos}};
}

}  // namespace iris::admin
