#include "simulator/report_tables.h"

#include <fmt/format.h>

#include <algorithm>

#include "simulator/report_format.h"

namespace iris::sim::reporting {

namespace {

Cell verdict_cell(bool pass) {
  return {verdict(pass), pass ? Tone::kGood : Tone::kBad};
}

Cell check_cell(const Figure& f) {
  if (!f.budget) return {check_text(f)};
  return {check_text(f), f.ok() ? Tone::kGood : Tone::kBad};
}

Cell number_cell(double v) {
  return {number(v)};
}
Cell count_cell(std::uint64_t n) {
  return {count(n)};
}

// A latency of 0 means no message was delivered in the bucket: shown as a dash, not as 0 ms.
Cell latency_cell(double ms) {
  return {ms > 0 ? number(ms) : "—"};
}

// One row of the compact timeline: buckets [first, last] merged.
struct MergedBuckets {
  double from_s = 0, to_s = 0;
  double sent = 0, delivered = 0;  // mean rates
  double p50 = 0, p99 = 0;         // the worst bucket's
};

MergedBuckets merge(const ScenarioResult& s, std::size_t first, std::size_t last) {
  MergedBuckets m;
  m.from_s = s.timeline[first].t_s;
  m.to_s = s.timeline[last].t_s + s.bucket_s;
  for (std::size_t i = first; i <= last; ++i) {
    const TimePoint& p = s.timeline[i];
    m.sent += p.sent_per_s;
    m.delivered += p.delivered_per_s;
    m.p50 = std::max(m.p50, p.p50_ms);
    m.p99 = std::max(m.p99, p.p99_ms);
  }
  const auto n = static_cast<double>(last - first + 1);
  m.sent /= n;
  m.delivered /= n;
  return m;
}

std::size_t buckets_per_row(const ScenarioResult& s) {
  return (s.timeline.size() + kTimelineRows - 1) / kTimelineRows;
}

// Labels of the fault windows that overlap [from_s, to_s).
std::string faults_during(const ScenarioResult& s, double from_s, double to_s) {
  std::vector<std::string> labels;
  for (const auto& w : s.fault_windows) {
    if (w.from_s < to_s && w.to_s > from_s) labels.push_back(w.label);
  }
  return join(labels, ", ");
}

std::string trace_text(const ScenarioResult& s) {
  return s.target == "simulator" ? hex_hash(s.trace_hash) : "—";  // a real run has no trace
}

}  // namespace

std::string overall_verdict(const FireReport& r) {
  const auto failed = std::count_if(r.scenarios.begin(), r.scenarios.end(),
                                    [](const ScenarioResult& s) { return !s.pass; });
  if (r.scenarios.empty()) return "FAIL — no scenario ran";
  if (failed == 0) return fmt::format("PASS — all {} scenarios passed", r.scenarios.size());
  std::vector<std::string> ids;
  for (const auto& s : r.scenarios) {
    if (!s.pass) ids.push_back(s.id);
  }
  return fmt::format("FAIL — {} of {} scenarios failed: {}", failed, r.scenarios.size(),
                     join(ids, ", "));
}

std::string scenario_title(const ScenarioResult& s) {
  return s.id + " — " + s.name;
}

std::string run_line(const ScenarioResult& s) {
  return fmt::format("{} · {} · seed {} · {} events · {} s virtual in {} s real", s.target, s.scale,
                     s.seed, count(s.events), number(s.virtual_seconds), number(s.real_seconds));
}

std::string anchor(const ScenarioResult& s) {
  std::string a = "scenario-";
  for (char c : s.id) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
    a += safe ? c : '-';
  }
  return a;
}

Table verdict_table(const FireReport& r) {
  Table t{{{"ID"}, {"Scenario"}, {"Verdict"}, {"Reason"}, {"Seed", true}}, {}};
  for (const auto& s : r.scenarios) {
    t.rows.push_back(
        {{s.id}, {s.name}, verdict_cell(s.pass), {s.reason}, {std::to_string(s.seed)}});
  }
  return t;
}

Table headline_table(const FireReport& r) {
  Table t{{{"Scenario"}, {"Figure"}, {"Budget", true}, {"Measured", true}, {"Unit"}, {"OK"}}, {}};
  for (const auto& s : r.scenarios) {
    for (const auto& f : s.figures) {
      if (!f.headline && !f.budget) continue;
      t.rows.push_back(
          {{s.id}, {f.name}, {budget_text(f)}, number_cell(f.value), {f.unit}, check_cell(f)});
    }
  }
  return t;
}

Table figures_table(const ScenarioResult& s) {
  Table t{{{"Figure"}, {"Measured", true}, {"Unit"}, {"Budget", true}, {"OK"}, {"How measured"}},
          {}};
  for (const auto& f : s.figures) {
    t.rows.push_back(
        {{f.name}, number_cell(f.value), {f.unit}, {budget_text(f)}, check_cell(f), {f.how}});
  }
  return t;
}

Table timeline_table(const ScenarioResult& s) {
  Table t{{{"t (s)"},
           {"sent/s", true},
           {"delivered/s", true},
           {"p50 (ms)", true},
           {"p99 (ms)", true},
           {"Faults active"}},
          {}};
  const std::size_t step = buckets_per_row(s);
  for (std::size_t first = 0; first < s.timeline.size(); first += step) {
    const auto m = merge(s, first, std::min(first + step, s.timeline.size()) - 1);
    t.rows.push_back({{number(m.from_s) + "–" + number(m.to_s)},
                      number_cell(m.sent),
                      number_cell(m.delivered),
                      latency_cell(m.p50),
                      latency_cell(m.p99),
                      {faults_during(s, m.from_s, m.to_s)}});
  }
  return t;
}

std::string timeline_note(const ScenarioResult& s) {
  if (s.timeline.empty()) return "No timeline was recorded for this run.";
  const std::size_t step = buckets_per_row(s);
  if (step == 1) return "";
  return fmt::format(
      "{} buckets of {} s, merged {} to a row: rates are the row's mean, latencies its worst "
      "bucket's.",
      s.timeline.size(), number(s.bucket_s), step);
}

Table spectrum_table(const ScenarioResult& s) {
  Table t{{{"Percentile"}, {"Latency (ms)", true}}, {}};
  for (const auto& p : s.spectrum) t.rows.push_back({{percentile_label(p.p)}, number_cell(p.ms)});
  return t;
}

Table nodes_table(const ScenarioResult& s) {
  Table t{{{"Node"},
           {"Alive at end"},
           {"Peak memory", true},
           {"Peak sessions", true},
           {"Peak inbox", true},
           {"Peak store rows", true},
           {"Store rows at end", true},
           {"Sends accepted", true},
           {"Delivered", true},
           {"Forwarded", true},
           {"Hand-off queued", true},
           {"Refused", true}},
          {}};
  for (const auto& n : s.nodes) {
    t.rows.push_back({{n.id, Tone::kPlain, true},
                      {n.alive_at_end ? "yes" : "no"},
                      {bytes(n.peak_memory_bytes)},
                      count_cell(n.peak_sessions),
                      count_cell(n.peak_inbox_messages),
                      count_cell(n.peak_store_rows),
                      count_cell(n.store_rows_at_end),
                      count_cell(n.sends_accepted),
                      count_cell(n.delivered),
                      count_cell(n.forwarded),
                      count_cell(n.handoff_queued),
                      count_cell(n.refused)});
  }
  return t;
}

Table fault_log_table(const ScenarioResult& s) {
  Table t{{{"t (s)", true}, {"Fault"}}, {}};
  for (const auto& f : s.faults) t.rows.push_back({number_cell(f.at_s), {f.what}});
  return t;
}

Table replay_table(const FireReport& r) {
  Table t{{{"Scenario"}, {"Seed", true}, {"Replay"}, {"Trace hash"}}, {}};
  for (const auto& s : r.scenarios) {
    t.rows.push_back({{s.id},
                      {std::to_string(s.seed)},
                      {s.replay, Tone::kPlain, true},
                      {trace_text(s), Tone::kPlain, true}});
  }
  return t;
}

std::vector<Fact> reproduce_facts(const FireReport& r) {
  return {{"Seed", {std::to_string(r.seed)}},
          {"Engine version", {r.engine_version}},
          {"Machine", {machine_text(r.machine)}},
          {"Started (UTC)", {r.started_utc}},
          {"Target and scale", {r.target + ", " + r.scale}},
          {"Command", {r.command, Tone::kPlain, true}}};
}

std::vector<const InvariantResult*> violated(const ScenarioResult& s) {
  std::vector<const InvariantResult*> out;
  for (const auto& i : s.invariants) {
    if (!i.ok()) out.push_back(&i);
  }
  return out;
}

std::string held_text(const ScenarioResult& s) {
  std::vector<std::string> names;
  for (const auto& i : s.invariants) {
    if (i.ok()) names.push_back(i.name);
  }
  return names.empty() ? "" : "Held: " + join(names, ", ") + ".";
}

std::string anomaly_title(const InvariantResult& i) {
  return fmt::format("{}: {} violation{}", i.name, count(i.violations),
                     i.violations == 1 ? "" : "s");
}

std::string ids_caption(const InvariantResult& i) {
  if (i.ids.size() < i.violations) {
    return fmt::format("Offending ids ({} of {}):", count(i.ids.size()), count(i.violations));
  }
  return fmt::format("Offending ids ({}):", count(i.ids.size()));
}

}  // namespace iris::sim::reporting
