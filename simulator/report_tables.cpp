#include "simulator/report_tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

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
  return compact_labels(labels);
}

// "SlowDisk n00 20000 us" -> {"SlowDisk", "n00 20000 us"}; "Heal" -> {"Heal", ""}.
std::pair<std::string, std::string> first_word(const std::string& label) {
  const auto space = label.find(' ');
  if (space == std::string::npos) return {label, ""};
  return {label.substr(0, space), label.substr(space + 1)};
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

// The Reason column only when some scenario has a reason to give.
Table verdict_table(const FireReport& r) {
  const bool reasons = std::any_of(r.scenarios.begin(), r.scenarios.end(),
                                   [](const ScenarioResult& s) { return !s.reason.empty(); });
  Table t{{{"ID"}, {"Scenario"}, {"Verdict"}}, {}};
  if (reasons) t.columns.push_back({"Reason"});
  t.columns.push_back({"Seed", true});
  for (const auto& s : r.scenarios) {
    std::vector<Cell> row = {
        {s.id, Tone::kPlain, false, anchor(s)}, {s.name}, verdict_cell(s.pass)};
    if (reasons) row.push_back({s.reason});
    row.push_back({std::to_string(s.seed)});
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table headline_table(const FireReport& r) {
  Table t{{{"Scenario", false, true}, {"Figure"}, {"Measured", true}, {"Budget", true}, {"OK"}},
          {}};
  for (const auto& s : r.scenarios) {
    for (const auto& f : s.figures) {
      if (!f.headline && !f.budget) continue;
      t.rows.push_back({{s.id, Tone::kPlain, false, anchor(s)},
                        {f.name},
                        {value_text(f.value, f.unit)},
                        {budget_text(f)},
                        check_cell(f)});
    }
  }
  return t;
}

Table figures_table(const ScenarioResult& s) {
  Table t{{{"Figure"}, {"Measured", true}, {"Budget", true}, {"OK"}, {"How measured"}}, {}};
  for (const auto& f : s.figures) {
    t.rows.push_back(
        {{f.name}, {value_text(f.value, f.unit)}, {budget_text(f)}, check_cell(f), {f.how}});
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

bool has_latency(const ScenarioResult& s) {
  return std::any_of(s.spectrum.begin(), s.spectrum.end(),
                     [](const Percentile& p) { return p.ms > 0; });
}

Table spectrum_table(const ScenarioResult& s) {
  Table t{{{"Percentile"}, {"Latency (ms)", true}}, {}};
  if (!has_latency(s)) return t;
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

std::vector<WindowGroup> window_groups(const ScenarioResult& s) {
  std::vector<WindowGroup> groups;
  for (const auto& w : s.fault_windows) {
    const auto same = std::find_if(groups.begin(), groups.end(), [&](const WindowGroup& g) {
      return g.from_s == w.from_s && g.to_s == w.to_s;
    });
    if (same == groups.end()) {
      groups.push_back({w.from_s, w.to_s, {w.label}});
    } else {
      same->labels.push_back(w.label);
    }
  }
  std::stable_sort(groups.begin(), groups.end(), [](const WindowGroup& a, const WindowGroup& b) {
    return a.from_s != b.from_s ? a.from_s < b.from_s : a.to_s < b.to_s;
  });
  return groups;
}

std::string compact_labels(const std::vector<std::string>& labels) {
  struct Kind {
    std::string word;
    std::vector<std::string> rests;  // distinct, in order
    bool bare = false;               // some label is the word alone
  };
  std::vector<Kind> kinds;
  for (const auto& label : labels) {
    auto [word, rest] = first_word(label);
    auto kind =
        std::find_if(kinds.begin(), kinds.end(), [&](const Kind& k) { return k.word == word; });
    if (kind == kinds.end()) kind = kinds.insert(kinds.end(), Kind{word, {}, false});
    if (rest.empty()) {
      kind->bare = true;
    } else if (std::find(kind->rests.begin(), kind->rests.end(), rest) == kind->rests.end()) {
      kind->rests.push_back(rest);
    }
  }
  std::vector<std::string> parts;
  for (const auto& k : kinds) {
    if (k.rests.empty()) {
      parts.push_back(k.word);
    } else if (!k.bare) {
      parts.push_back(k.word + " " + join(k.rests, ", "));
    } else {  // "Heal" beside "Heal n01": both in full
      parts.push_back(k.word);
      for (const auto& rest : k.rests) parts.push_back(k.word + " " + rest);
    }
  }
  return join(parts, "; ");
}

std::string group_text(const WindowGroup& g) {
  return compact_labels(g.labels) + ": " + span_text(g.from_s, g.to_s);
}

std::string group_short(const WindowGroup& g) {
  if (g.labels.size() == 1) return g.labels.front();
  const std::string word = first_word(g.labels.front()).first;
  const bool one_kind = std::all_of(g.labels.begin(), g.labels.end(), [&](const std::string& l) {
    return first_word(l).first == word;
  });
  return one_kind ? fmt::format("{} ×{}", word, g.labels.size())
                  : fmt::format("{} faults", g.labels.size());
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
