// The report as one self-contained HTML page: inline CSS, charts as inline SVG, no script and no
// reference to anything outside the file, so it opens offline, mails as one attachment and prints
// (the console's PDF export draws the same charts, simulator/report_charts.h).

#include <optional>
#include <string_view>

#include "simulator/report.h"
#include "simulator/report_charts.h"
#include "simulator/report_format.h"
#include "simulator/report_tables.h"

namespace iris::sim {

namespace {

using namespace reporting;

constexpr std::string_view kStyle = R"(
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #202124;
       background: #fff; max-width: 1180px; margin: 1.5rem auto; padding: 0 1rem; }
h1 { margin: 0 0 .6rem; }
h2 { margin: 2rem 0 .6rem; border-bottom: 1px solid #dadce0; padding-bottom: .2rem; }
h3 { margin: 1.5rem 0 .5rem; font-size: 1.08rem; }
p { margin: .45rem 0; }
.banner { display: inline-block; margin: .2rem 0; padding: .45rem .9rem; border-radius: 6px;
          font-weight: 600; font-size: 1.1rem; border: 1px solid; }
.banner.good { background: #e6f4ea; color: #137333; border-color: #34a853; }
.banner.bad { background: #fce8e6; color: #c5221f; border-color: #ea4335; }
.meta { color: #5f6368; }
.good { color: #137333; font-weight: 600; }
.bad { color: #c5221f; font-weight: 600; }
.tag { font-size: .72em; margin-left: .6rem; padding: .05rem .45rem; border: 1px solid;
       border-radius: 4px; vertical-align: .15em; }
.tag.good { background: #e6f4ea; }
.tag.bad { background: #fce8e6; }
table { border-collapse: collapse; margin: .4rem 0 1rem; font-size: 13px; }
th, td { border: 1px solid #dadce0; padding: .2rem .55rem; text-align: left; vertical-align: top;
         white-space: pre-line; }
th { background: #f1f3f4; vertical-align: bottom; }
th[scope="row"] { vertical-align: top; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td.bad { background: #fce8e6; }
td.group { font-weight: 600; background: #fafafa; }
tr.group-start > td { border-top: 2px solid #9aa0a6; }
td a { color: #1a57b8; text-decoration: none; }
td a:hover { text-decoration: underline; }
.scroll { overflow-x: auto; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px;
       word-break: break-all; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.charts table { margin: 0; }
svg.chart { max-width: 100%; height: auto; border: 1px solid #e8eaed; border-radius: 4px; }
.windows-title { margin: .8rem 0 .2rem; }
ol.windows { margin: 0 0 .6rem; padding-left: 2rem; }
ol.windows li::marker { font-weight: 700; color: #a50e0e; }
details { margin: .3rem 0 .6rem; }
summary { cursor: pointer; color: #1a57b8; }
.anomaly { border-left: 4px solid #ea4335; background: #fef7f6; padding: .35rem .9rem;
           margin: .6rem 0; border-radius: 0 4px 4px 0; }
.anomaly > p:first-child { margin-top: .2rem; }
.anomaly ul { margin: .3rem 0; padding-left: 1.4rem; }
.ids { max-height: 12rem; overflow-y: auto; display: flex; flex-wrap: wrap; gap: .15rem .8rem; }
.held { color: #5f6368; }
section.scenario { border-top: 3px solid #dadce0; margin-top: 2.5rem; }
footer { margin-top: 2rem; color: #5f6368; font-style: italic; }
@media print {
  @page { margin: 12mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { max-width: none; margin: 0; padding: 0 2px; font-size: 9.5pt; color: #000; }
  h1 { font-size: 18pt; }
  h2 { font-size: 14pt; margin-top: 1.2rem; }
  h3 { font-size: 11pt; margin: .9rem 0 .3rem; }
  h2, h3, .windows-title { page-break-after: avoid; break-after: avoid; }
  table { font-size: 8pt; margin-bottom: .6rem; }
  th, td { padding: 1px 5px; line-height: 1.3; }
  code { font-size: 7.5pt; }
  a { color: inherit !important; }
  section.scenario { page-break-before: always; break-before: page; border-top: none;
                     margin-top: 0; }
  table:not(.long), tr, svg.chart, .anomaly, ol.windows {
    page-break-inside: avoid; break-inside: avoid; }
  .charts { flex-wrap: nowrap; gap: 2%; }
  .charts > svg.chart { width: 48.5%; flex: none; }
  .scroll, .ids { overflow: visible; max-height: none; }
  details { display: none; }
}
)";

std::string esc(std::string_view s) {
  return xml_escape(s);
}

const char* tone_class(Tone t) {
  switch (t) {
    case Tone::kGood:
      return "good";
    case Tone::kBad:
      return "bad";
    case Tone::kPlain:
      break;
  }
  return "";
}

std::string class_attr(std::string classes) {
  if (!classes.empty() && classes.back() == ' ') classes.pop_back();
  return classes.empty() ? "" : " class=\"" + classes + "\"";
}

std::string cell_html(const Cell& c) {
  std::string text = c.code && !c.text.empty() ? "<code>" + esc(c.text) + "</code>" : esc(c.text);
  if (c.link.empty() || c.text.empty()) return text;
  return "<a href=\"#" + esc(c.link) + "\">" + text + "</a>";
}

// A table longer than this may break across printed pages (its header repeats); a shorter one
// moves to the next page whole.
constexpr std::size_t kLongTable = 24;

// For each row, how many rows its cell in column `c` covers: 0 when the row above covers it.
std::vector<std::size_t> row_spans(const Table& t, std::size_t c) {
  std::vector<std::size_t> spans(t.rows.size(), 1);
  for (std::size_t first = 0; first < t.rows.size();) {
    std::size_t next = first + 1;
    while (next < t.rows.size() && c < t.rows[next].size() && c < t.rows[first].size() &&
           t.rows[next][c].text == t.rows[first][c].text) {
      spans[next++] = 0;
    }
    spans[first] = next - first;
    first = next;
  }
  return spans;
}

void table(std::string& out, const Table& t) {
  std::vector<std::vector<std::size_t>> spans(t.columns.size());
  std::optional<std::size_t> grouped;  // the first column that groups rows
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    if (!t.columns[c].group) continue;
    spans[c] = row_spans(t, c);
    if (!grouped) grouped = c;
  }
  out += "<div class=\"scroll\"><table" + class_attr(t.rows.size() > kLongTable ? "long" : "") +
         ">\n<thead><tr>";
  for (const auto& c : t.columns) {
    out += "<th" + class_attr(c.numeric ? "num" : "") + ">" + esc(c.title) + "</th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    const bool starts_group = grouped && r > 0 && spans[*grouped][r] > 0;
    out += starts_group ? "<tr class=\"group-start\">" : "<tr>";
    for (std::size_t i = 0; i < row.size(); ++i) {
      const bool numeric = i < t.columns.size() && t.columns[i].numeric;
      const bool group = i < t.columns.size() && t.columns[i].group;
      if (group && spans[i][r] == 0) continue;
      const std::string span =
          group && spans[i][r] > 1 ? " rowspan=\"" + std::to_string(spans[i][r]) + "\"" : "";
      out += "<td" + span +
             class_attr(std::string(numeric ? "num " : "") + (group ? "group " : "") +
                        tone_class(row[i].tone)) +
             ">" + cell_html(row[i]) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table></div>\n";
}

void note(std::string& out, std::string_view text) {
  out += "<p class=\"meta\">" + esc(text) + "</p>\n";
}

void table_or_note(std::string& out, const Table& t, std::string_view empty) {
  if (t.rows.empty()) {
    note(out, empty);
  } else {
    table(out, t);
  }
}

void heading(std::string& out, int level, std::string_view title, std::string_view extra = "") {
  const std::string tag = "h" + std::to_string(level);
  out += "<" + tag + ">" + esc(title) + std::string(extra) + "</" + tag + ">\n";
}

void head(std::string& out, const FireReport& r) {
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + esc(r.title) + "</title>\n<style>" + std::string(kStyle) + "</style>\n";
  out += "</head>\n<body>\n";
}

void title_block(std::string& out, const FireReport& r) {
  out += "<header>\n";
  heading(out, 1, r.title);
  out += "<p class=\"banner " + std::string(tone_class(r.pass() ? Tone::kGood : Tone::kBad)) +
         "\">" + esc(overall_verdict(r)) + "</p>\n";
  note(out, r.target + " · " + r.scale + " · seed " + std::to_string(r.seed) + " · started " +
                r.started_utc + " · Iris " + r.engine_version);
  out += "</header>\n";
}

void timeline(std::string& out, const ScenarioResult& s) {
  heading(out, 3, kTimelineSection);
  out += "<div class=\"charts\">\n" + throughput_svg(s) + "\n" + latency_svg(s) + "\n</div>\n";
  if (const auto groups = window_groups(s); !groups.empty()) {
    out += "<p class=\"windows-title\">Fault windows, shaded and numbered on the charts:</p>\n";
    out += "<ol class=\"windows\">\n";
    for (const auto& g : groups) out += "<li>" + esc(group_text(g)) + "</li>\n";
    out += "</ol>\n";
  }
  const std::string why = timeline_note(s);
  if (s.timeline.empty()) {
    note(out, why);
    return;
  }
  out += "<details><summary>Timeline as a table</summary>\n";
  if (!why.empty()) note(out, why);
  table(out, timeline_table(s));
  out += "</details>\n";
}

void spectrum(std::string& out, const ScenarioResult& s) {
  heading(out, 3, kSpectrumSection);
  out += "<div class=\"charts\">\n" + spectrum_svg(s) + "\n";
  table_or_note(out, spectrum_table(s), kNoSpectrum);
  out += "</div>\n";
}

void anomaly(std::string& out, const InvariantResult& i) {
  out += "<div class=\"anomaly\">\n<p class=\"bad\">" + esc(anomaly_title(i)) + "</p>\n";
  if (!i.examples.empty()) {
    out += "<ul>\n";
    for (const auto& e : i.examples) out += "<li>" + esc(e) + "</li>\n";
    out += "</ul>\n";
  }
  if (!i.ids.empty()) {
    out += "<p>" + esc(ids_caption(i)) + "</p>\n<p class=\"ids\">";
    for (const auto& id : i.ids) out += "<code>" + esc(id) + "</code> ";
    out += "</p>\n";
  }
  out += "</div>\n";
}

void anomalies(std::string& out, const ScenarioResult& s) {
  heading(out, 3, kAnomaliesSection);
  const auto bad = violated(s);
  if (s.invariants.empty()) note(out, kNoInvariants);
  if (!s.invariants.empty() && bad.empty())
    out += "<p class=\"good\">" + esc(kNoAnomaly) + "</p>\n";
  for (const InvariantResult* i : bad) anomaly(out, *i);
  if (const std::string held = held_text(s); !held.empty()) {
    out += "<p class=\"held\">" + esc(held) + "</p>\n";
  }
}

void scenario(std::string& out, const ScenarioResult& s) {
  out += "<section class=\"scenario\" id=\"" + anchor(s) + "\">\n";
  const Tone tone = s.pass ? Tone::kGood : Tone::kBad;
  heading(
      out, 2, scenario_title(s),
      "<span class=\"tag " + std::string(tone_class(tone)) + "\">" + verdict(s.pass) + "</span>");
  if (!s.pass && !s.reason.empty()) out += "<p class=\"bad\">" + esc(s.reason) + "</p>\n";
  if (!s.description.empty()) out += "<p>" + esc(s.description) + "</p>\n";
  note(out, run_line(s));
  if (!s.replay.empty()) {
    out += "<p class=\"meta\">Replay: <code>" + esc(s.replay) + "</code></p>\n";
  }
  heading(out, 3, kFiguresSection);
  table_or_note(out, figures_table(s), kNoFigures);
  timeline(out, s);
  spectrum(out, s);
  heading(out, 3, kResourcesSection);
  table_or_note(out, nodes_table(s), kNoNodes);
  anomalies(out, s);
  heading(out, 3, kFaultLogSection);
  table_or_note(out, fault_log_table(s), kNoFaults);
  out += "</section>\n";
}

void reproduce(std::string& out, const FireReport& r) {
  out += "<section id=\"reproduce\">\n";
  heading(out, 2, kReproduceSection);
  out += "<table>\n";
  for (const auto& f : reproduce_facts(r)) {
    out +=
        "<tr><th scope=\"row\">" + esc(f.label) + "</th><td>" + cell_html(f.value) + "</td></tr>\n";
  }
  out += "</table>\n";
  table(out, replay_table(r));
  out += "</section>\n";
}

void section(std::string& out, std::string_view id, std::string_view title, const Table& t,
             std::string_view empty) {
  out += "<section id=\"" + std::string(id) + "\">\n";
  heading(out, 2, title);
  table_or_note(out, t, empty);
  out += "</section>\n";
}

}  // namespace

std::string to_html(const FireReport& report) {
  std::string out;
  head(out, report);
  title_block(out, report);
  section(out, "verdict", kVerdictSection, verdict_table(report), kNoScenarios);
  section(out, "headline", kHeadlineSection, headline_table(report), kNoHeadline);
  for (const auto& s : report.scenarios) scenario(out, s);
  reproduce(out, report);
  out += "<footer>Generated by Iris " + esc(report.engine_version) +
         ": every figure above was measured in this run; each scenario replays from its seed."
         "</footer>\n</body>\n</html>\n";
  return out;
}

}  // namespace iris::sim
