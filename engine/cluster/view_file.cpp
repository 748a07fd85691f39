#include "engine/cluster/view_file.h"

#include "engine/common/atomic_file.h"

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace iris::cluster {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

json::object view_json(const View& v) {
  json::array members;
  for (const auto& m : v.members) {
    members.push_back(json::object{{"id", m.id},
                                   {"peer_address", m.peer_address},
                                   {"client_address", m.client_address},
                                   {"state", to_string(m.state)}});
  }
  return {{"epoch", v.epoch}, {"members", std::move(members)}};
}

Result<MemberState> state_of(std::string_view s) {
  if (s == "active") return MemberState::kActive;
  if (s == "joining") return MemberState::kJoining;
  if (s == "leaving") return MemberState::kLeaving;
  if (s == "left") return MemberState::kLeft;
  return Status::invalid("unknown member state '" + std::string(s) + "'");
}

Result<View> view_from(const json::value& jv, const std::string& self_id) {
  const json::object* o = jv.if_object();
  if (o == nullptr) return Status::invalid("a view is not an object");
  View v;
  const json::value* epoch = o->if_contains("epoch");
  const json::value* members = o->if_contains("members");
  if (epoch == nullptr || !epoch->is_int64() || epoch->as_int64() < 0 || members == nullptr ||
      !members->is_array()) {
    return Status::invalid("a view needs an epoch and members");
  }
  v.epoch = static_cast<std::uint64_t>(epoch->as_int64());
  for (const auto& mv : members->as_array()) {
    const json::object* m = mv.if_object();
    if (m == nullptr) return Status::invalid("a member is not an object");
    Member member;
    for (auto [key, field] : {std::pair{"id", &member.id},
                              std::pair{"peer_address", &member.peer_address},
                              std::pair{"client_address", &member.client_address}}) {
      const json::value* s = m->if_contains(key);
      if (s == nullptr || !s->is_string()) {
        return Status::invalid(std::string("a member's ") + key + " is missing");
      }
      *field = std::string(s->as_string());
    }
    const json::value* st = m->if_contains("state");
    if (st == nullptr || !st->is_string()) return Status::invalid("a member's state is missing");
    auto state = state_of(st->as_string());
    if (!state) return state.status();
    member.state = *state;
    v.members.push_back(std::move(member));
  }
  if (v.members.empty() || v.members.size() > kMaxMembers) {
    return Status::invalid("a view has 1.." + std::to_string(kMaxMembers) + " members");
  }
  v.self = v.index_of(self_id);
  if (v.self == kLocalNode) {
    return Status::invalid("the view does not name this node ('" + self_id +
                           "'): another node's data directory?");
  }
  return v;
}

}  // namespace

std::string view_record_json(const ViewRecord& r) {
  json::object o{{"format", 1},
                 {"view", view_json(r.view)},
                 {"handed_over_epoch", r.handed_over_epoch}};
  if (r.previous) o["previous"] = view_json(*r.previous);
  if (r.prepared) {
    o["prepared"] = view_json(*r.prepared);
    o["prepared_by"] = r.prepared_by;
    // A u64 does not fit JSON numbers everywhere: the round is written in hex.
    std::ostringstream round;
    round << std::hex << r.prepared_round;
    o["prepared_round"] = round.str();
  }
  return json::serialize(o) + "\n";
}

Result<ViewRecord> parse_view_record(const std::string& text, const std::string& self_id) {
  boost::system::error_code ec;
  json::value jv = json::parse(text, ec);
  if (ec) return Status::invalid("not JSON: " + ec.message());
  const json::object* o = jv.if_object();
  if (o == nullptr || !o->contains("view")) return Status::invalid("no view in it");
  ViewRecord r;
  auto view = view_from(o->at("view"), self_id);
  if (!view) return view.status();
  r.view = std::move(*view);
  if (const json::value* h = o->if_contains("handed_over_epoch"); h && h->is_int64()) {
    r.handed_over_epoch = static_cast<std::uint64_t>(h->as_int64());
  }
  if (const json::value* p = o->if_contains("previous")) {
    auto prev = view_from(*p, self_id);
    if (!prev) return Status::invalid("previous view: " + prev.status().message());
    r.previous = std::move(*prev);
  }
  if (const json::value* p = o->if_contains("prepared")) {
    auto prep = view_from(*p, self_id);
    if (!prep) return Status::invalid("prepared view: " + prep.status().message());
    r.prepared = std::move(*prep);
    const json::value* by = o->if_contains("prepared_by");
    const json::value* round = o->if_contains("prepared_round");
    if (by == nullptr || !by->is_string() || round == nullptr || !round->is_string()) {
      return Status::invalid("a prepared view needs prepared_by and prepared_round");
    }
    r.prepared_by = std::string(by->as_string());
    try {
      r.prepared_round = std::stoull(std::string(round->as_string()), nullptr, 16);
    } catch (const std::exception&) {
      return Status::invalid("prepared_round is not hex");
    }
  }
  return r;
}

Result<std::optional<ViewRecord>> load_view_record(const std::string& path,
                                                   const std::string& self_id) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::optional<ViewRecord>{};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto r = parse_view_record(text.str(), self_id);
  if (!r) return Status::invalid(path + ": " + r.status().message());
  return std::optional<ViewRecord>(std::move(*r));
}

Status save_view_record(const std::string& path, const ViewRecord& record) {
  return write_file_atomically(path, view_record_json(record));
}

}  // namespace iris::cluster
