// The report as JSON: every field of the model, under the names the model uses, except the
// scenario id, which is "scenario" as in the per-run result iris-fire has always written
// (docs/simulator.md). Derived values are added for readers that do not recompute them: "ok" on
// invariants and figures, "verdict" on scenarios and on the report.

#include <boost/json.hpp>
#include <cmath>

#include "simulator/report.h"
#include "simulator/report_format.h"

namespace iris::sim {

namespace {

namespace json = boost::json;
using reporting::valid_utf8;

// JSON has no NaN or infinity (Boost.JSON 1.81 would print 1e99999): a value that is not a
// number is written as null.
json::value number(double v) {
  return std::isfinite(v) ? json::value(v) : json::value(nullptr);
}

json::value text(const std::string& s) {
  return json::value(valid_utf8(s));
}

json::array texts(const std::vector<std::string>& v) {
  json::array a;
  a.reserve(v.size());
  for (const auto& s : v) a.push_back(text(s));
  return a;
}

template <typename T, typename ToJson>
json::array array_of(const std::vector<T>& items, ToJson to) {
  json::array a;
  a.reserve(items.size());
  for (const auto& item : items) a.push_back(to(item));
  return a;
}

json::object invariant(const InvariantResult& i) {
  return {{"name", text(i.name)},
          {"ok", i.ok()},
          {"violations", i.violations},
          {"examples", texts(i.examples)},
          {"ids", texts(i.ids)}};
}

json::object figure(const Figure& f) {
  return {{"name", text(f.name)},
          {"value", number(f.value)},
          {"unit", text(f.unit)},
          {"how", text(f.how)},
          {"budget", f.budget ? number(*f.budget) : json::value(nullptr)},
          {"bound", f.bound == Figure::Bound::kAtMost ? "at_most" : "at_least"},
          {"headline", f.headline},
          {"ok", f.ok()}};
}

json::object time_point(const TimePoint& p) {
  return {{"t_s", number(p.t_s)},
          {"sent_per_s", number(p.sent_per_s)},
          {"delivered_per_s", number(p.delivered_per_s)},
          {"p50_ms", number(p.p50_ms)},
          {"p99_ms", number(p.p99_ms)}};
}

json::object fault_window(const FaultWindow& w) {
  return {{"label", text(w.label)}, {"from_s", number(w.from_s)}, {"to_s", number(w.to_s)}};
}

json::object percentile(const Percentile& p) {
  return {{"p", number(p.p)}, {"ms", number(p.ms)}};
}

json::object node(const NodeResources& n) {
  return {{"id", text(n.id)},
          {"alive_at_end", n.alive_at_end},
          {"peak_memory_bytes", n.peak_memory_bytes},
          {"peak_sessions", n.peak_sessions},
          {"peak_inbox_messages", n.peak_inbox_messages},
          {"peak_store_rows", n.peak_store_rows},
          {"store_rows_at_end", n.store_rows_at_end},
          {"sends_accepted", n.sends_accepted},
          {"delivered", n.delivered},
          {"forwarded", n.forwarded},
          {"handoff_queued", n.handoff_queued},
          {"refused", n.refused}};
}

json::object fault_event(const FaultEvent& f) {
  return {{"at_s", number(f.at_s)}, {"what", text(f.what)}};
}

json::object scenario(const ScenarioResult& r) {
  return {{"scenario", text(r.id)},
          {"name", text(r.name)},
          {"description", text(r.description)},
          {"target", text(r.target)},
          {"scale", text(r.scale)},
          {"seed", r.seed},
          {"verdict", reporting::verdict(r.pass)},
          {"reason", text(r.reason)},
          {"invariants", array_of(r.invariants, invariant)},
          {"figures", array_of(r.figures, figure)},
          {"bucket_s", number(r.bucket_s)},
          {"timeline", array_of(r.timeline, time_point)},
          {"fault_windows", array_of(r.fault_windows, fault_window)},
          {"spectrum", array_of(r.spectrum, percentile)},
          {"nodes", array_of(r.nodes, node)},
          {"faults", array_of(r.faults, fault_event)},
          {"trace_hash", reporting::hex_hash(r.trace_hash)},
          {"events", r.events},
          {"virtual_seconds", number(r.virtual_seconds)},
          {"real_seconds", number(r.real_seconds)},
          {"replay", text(r.replay)}};
}

json::object machine(const MachineInfo& m) {
  return {{"cpu", text(m.cpu)},
          {"cores", m.cores},
          {"memory_bytes", m.memory_bytes},
          {"os", text(m.os)}};
}

}  // namespace

std::string to_json(const ScenarioResult& result) {
  return json::serialize(scenario(result));
}

std::string to_json(const FireReport& report) {
  const json::object o{{"title", text(report.title)},
                       {"verdict", reporting::verdict(report.pass())},
                       {"engine_version", text(report.engine_version)},
                       {"started_utc", text(report.started_utc)},
                       {"machine", machine(report.machine)},
                       {"target", text(report.target)},
                       {"scale", text(report.scale)},
                       {"seed", report.seed},
                       {"command", text(report.command)},
                       {"scenarios", array_of(report.scenarios, scenario)}};
  return json::serialize(o);
}

}  // namespace iris::sim
