#pragma once
// The report's content as plain-text tables, lists and lines, built once from the model and
// rendered by the Markdown and HTML writers, so both show the same rows in the same order. Cells
// hold unescaped text: each renderer escapes for its own format. Internal to iris_report; pure
// functions.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "simulator/report.h"

namespace iris::sim::reporting {

// Section titles, in the order the human formats print them (report.h). The scenario sections
// (figures .. fault log) repeat for each scenario, between the headline table and Reproduce.
inline constexpr std::string_view kVerdictSection = "Verdict";
inline constexpr std::string_view kHeadlineSection = "Headline figures";
inline constexpr std::string_view kFiguresSection = "Figures";
inline constexpr std::string_view kTimelineSection = "Throughput and latency over time";
inline constexpr std::string_view kSpectrumSection = "Latency percentile spectrum";
inline constexpr std::string_view kResourcesSection = "Per-node resources";
inline constexpr std::string_view kAnomaliesSection = "Anomalies";
inline constexpr std::string_view kFaultLogSection = "Fault log";
inline constexpr std::string_view kReproduceSection = "Reproduce";

// What a section says when it has nothing to show.
inline constexpr std::string_view kNoScenarios = "No scenario ran.";
inline constexpr std::string_view kNoHeadline = "No figure is marked headline or has a budget.";
inline constexpr std::string_view kNoFigures = "No figure was measured.";
inline constexpr std::string_view kNoSpectrum = "No latency was measured.";
inline constexpr std::string_view kNoNodes = "No node resources were recorded.";
inline constexpr std::string_view kNoAnomaly = "No anomaly.";
inline constexpr std::string_view kNoInvariants = "No invariant was checked.";
inline constexpr std::string_view kNoFaults = "No fault was injected.";

// A timeline longer than this is shown with consecutive buckets merged, so the table stays a
// glance (the charts and the JSON keep every bucket).
inline constexpr std::size_t kTimelineRows = 20;

enum class Tone { kPlain, kGood, kBad };  // PASS/ok green, FAIL/OVER red where colour exists

struct Cell {
  std::string text;
  Tone tone = Tone::kPlain;
  bool code = false;   // a command, a hash, an id: monospace
  std::string link{};  // an anchor in the same page ("scenario-R1"), where the format has links
};

struct Column {
  std::string title;
  bool numeric = false;  // right-aligned
  // Rows that repeat the cell above in this column form a group: the value is shown once, on the
  // group's first row (HTML spans it over the group's rows; Markdown leaves the others blank).
  bool group = false;
};

struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;  // each row has one cell per column
};

struct Fact {
  std::string label;
  Cell value;
};

// "PASS — all 3 scenarios passed", "FAIL — 1 of 3 scenarios failed: R2", "FAIL — no scenario ran".
std::string overall_verdict(const FireReport& r);
std::string scenario_title(const ScenarioResult& s);  // "R1 — Split brain"
// "simulator · smoke · seed 42 · 12,345 events · 20 s virtual in 0.35 s real"
std::string run_line(const ScenarioResult& s);
std::string anchor(const ScenarioResult& s);  // "scenario-R1": letters, digits, '-' and '_' only

Table verdict_table(const FireReport& r);
// Every figure that is headline or has a budget, grouped by scenario; measured beside budget.
Table headline_table(const FireReport& r);
Table figures_table(const ScenarioResult& s);   // every figure, with how it was measured
Table timeline_table(const ScenarioResult& s);  // at most kTimelineRows rows
// Why the timeline table looks as it does: empty, or buckets merged; "" when neither.
std::string timeline_note(const ScenarioResult& s);
// Whether any latency was measured: a spectrum of zeros is a run that delivered nothing.
bool has_latency(const ScenarioResult& s);
Table spectrum_table(const ScenarioResult& s);  // no rows without latency
Table nodes_table(const ScenarioResult& s);
Table fault_log_table(const ScenarioResult& s);
Table replay_table(const FireReport& r);
std::vector<Fact> reproduce_facts(const FireReport& r);  // seed, version, machine, start, command

// The fault windows with the same start and end, as one: a partition that cuts four links, a slow
// disk on every node. Ordered by start, then end; labels in the order the model gives them.
struct WindowGroup {
  double from_s = 0, to_s = 0;
  std::vector<std::string> labels;
};
std::vector<WindowGroup> window_groups(const ScenarioResult& s);
// Fault labels with their first word said once: "SlowDisk n00, n01, n02; DiskFull n00".
std::string compact_labels(const std::vector<std::string>& labels);
std::string group_text(const WindowGroup& g);   // "cut n00 -> n01, n00 -> n02: 3.5 s – 9 s"
std::string group_short(const WindowGroup& g);  // "KillNode n01", "cut ×4", "3 faults"

std::vector<const InvariantResult*> violated(const ScenarioResult& s);
std::string held_text(const ScenarioResult& s);       // "Held: lost, duplicated." ("" when none)
std::string anomaly_title(const InvariantResult& i);  // "lost: 3 violations"
std::string ids_caption(const InvariantResult& i);    // "Offending ids (200 of 350):"

}  // namespace iris::sim::reporting
