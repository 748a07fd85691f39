// The report as Markdown (GitHub flavour), laid out like the seed report (docs/FIRE_TESTS.md)
// but every figure measured in this run, with its budget beside it.

#include <algorithm>
#include <string_view>

#include "simulator/report.h"
#include "simulator/report_format.h"
#include "simulator/report_tables.h"

namespace iris::sim {

namespace {

using namespace reporting;

// Inline text: '|' would end a table cell and a newline the row; '<' and '&' could open an HTML
// tag or an entity; '\' would escape what follows it; other control characters are dropped.
std::string md(std::string_view s) {
  std::string out;
  for (char c : valid_utf8(s)) {
    switch (c) {
      case '|':
        out += "\\|";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\n':
        out += "<br>";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') out += c;
    }
  }
  return out;
}

// A code span: fenced by more backticks than the text holds in a row, so nothing inside ends it.
// In a table GitHub needs '|' escaped even there (elsewhere the backslash would show); newlines
// and other control characters become spaces.
std::string code(std::string_view s, bool in_table = true) {
  std::string text;
  std::size_t run = 0, longest = 0;
  for (char c : valid_utf8(s)) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
    if (c == '|' && in_table) text += '\\';
    text += c;
  }
  if (text.empty()) return "";
  const std::string fence(longest + 1, '`');
  const bool pad = text.front() == '`' || text.back() == '`';
  return fence + (pad ? " " : "") + text + (pad ? " " : "") + fence;
}

std::string cell(const Cell& c) {
  if (c.code) return code(c.text);
  switch (c.tone) {
    case Tone::kGood:
      return "✅ " + md(c.text);
    case Tone::kBad:
      return "❌ **" + md(c.text) + "**";
    case Tone::kPlain:
      break;
  }
  return md(c.text);
}

void table(std::string& out, const Table& t) {
  std::string header = "|", rule = "|";
  for (const auto& c : t.columns) {
    header += " " + md(c.title) + " |";
    rule += c.numeric ? "---:|" : "---|";
  }
  out += header + "\n" + rule + "\n";
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    out += "|";
    for (std::size_t i = 0; i < t.rows[r].size(); ++i) {
      const Cell& c = t.rows[r][i];
      // A grouping column says its value once, on the group's first row.
      const bool repeat = r > 0 && i < t.columns.size() && t.columns[i].group &&
                          i < t.rows[r - 1].size() && t.rows[r - 1][i].text == c.text;
      out += repeat ? " |" : " " + cell(c) + " |";
    }
    out += "\n";
  }
  out += "\n";
}

void table_or_note(std::string& out, const Table& t, std::string_view note) {
  if (t.rows.empty()) {
    out += "_" + md(note) + "_\n\n";
  } else {
    table(out, t);
  }
}

void heading(std::string& out, int level, std::string_view title) {
  out += std::string(static_cast<std::size_t>(level), '#') + " " + md(title) + "\n\n";
}

void title_block(std::string& out, const FireReport& r) {
  heading(out, 1, r.title);
  const bool pass = r.pass();
  out += "**Result**: " + std::string(pass ? "✅" : "❌") + " **" + md(overall_verdict(r)) + "**  \n";
  out += md(r.target + " · " + r.scale + " · seed " + std::to_string(r.seed) + " · started " +
            r.started_utc + " · Iris " + r.engine_version) +
         "\n\n---\n\n";
}

void timeline(std::string& out, const ScenarioResult& s) {
  heading(out, 3, kTimelineSection);
  if (const auto groups = window_groups(s); !groups.empty()) {
    out += "Fault windows:\n\n";
    for (const auto& g : groups) out += "- " + md(group_text(g)) + "\n";
    out += "\n";
  }
  if (const std::string note = timeline_note(s); !note.empty()) out += "_" + md(note) + "_\n\n";
  if (!s.timeline.empty()) table(out, timeline_table(s));
}

void anomaly(std::string& out, const InvariantResult& i) {
  out += "❌ **" + md(anomaly_title(i)) + "**\n\n";
  for (const auto& e : i.examples) out += "- " + md(e) + "\n";
  if (!i.examples.empty()) out += "\n";
  if (i.ids.empty()) return;
  std::vector<std::string> ids;
  for (const auto& id : i.ids) ids.push_back(code(id));
  out += md(ids_caption(i)) + " " + join(ids, ", ") + "\n\n";
}

void anomalies(std::string& out, const ScenarioResult& s) {
  heading(out, 3, kAnomaliesSection);
  const auto bad = violated(s);
  if (s.invariants.empty()) out += "_" + md(kNoInvariants) + "_\n\n";
  if (!s.invariants.empty() && bad.empty()) out += md(kNoAnomaly) + "\n\n";
  for (const InvariantResult* i : bad) anomaly(out, *i);
  if (const std::string held = held_text(s); !held.empty()) out += md(held) + "\n\n";
}

void scenario(std::string& out, const ScenarioResult& s) {
  heading(out, 2, scenario_title(s));
  out += "**Verdict**: " + cell({verdict(s.pass), s.pass ? Tone::kGood : Tone::kBad}) +
         (s.pass || s.reason.empty() ? "" : " — " + md(s.reason)) + "\n\n";
  if (!s.description.empty()) out += md(s.description) + "\n\n";
  out += "_" + md(run_line(s)) + "_";
  if (!s.replay.empty()) out += "  \nReplay: " + code(s.replay, false);
  out += "\n\n";
  heading(out, 3, kFiguresSection);
  table_or_note(out, figures_table(s), kNoFigures);
  timeline(out, s);
  heading(out, 3, kSpectrumSection);
  table_or_note(out, spectrum_table(s), kNoSpectrum);
  heading(out, 3, kResourcesSection);
  table_or_note(out, nodes_table(s), kNoNodes);
  anomalies(out, s);
  heading(out, 3, kFaultLogSection);
  table_or_note(out, fault_log_table(s), kNoFaults);
}

void reproduce(std::string& out, const FireReport& r) {
  heading(out, 2, kReproduceSection);
  for (const auto& f : reproduce_facts(r)) {
    const std::string value = f.value.code ? code(f.value.text, false) : cell(f.value);
    out += "- **" + md(f.label) + "**: " + value + "\n";
  }
  out += "\n";
  table(out, replay_table(r));
}

}  // namespace

std::string to_markdown(const FireReport& report) {
  std::string out;
  title_block(out, report);
  heading(out, 2, kVerdictSection);
  table_or_note(out, verdict_table(report), kNoScenarios);
  heading(out, 2, kHeadlineSection);
  table_or_note(out, headline_table(report), kNoHeadline);
  for (const auto& s : report.scenarios) scenario(out, s);
  reproduce(out, report);
  out += "---\n\n*Generated by Iris " + md(report.engine_version) +
         ": every figure above was measured in this run; each scenario replays from its seed.*\n";
  return out;
}

}  // namespace iris::sim
