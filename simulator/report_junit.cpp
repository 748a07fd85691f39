// The report as JUnit XML, for CI: one testsuite, one testcase per scenario, a <failure> for each
// scenario that failed. The testcase's classname groups by target and scale
// (iris.fire.simulator.smoke), so a CI dashboard keeps smoke and full runs apart.

#include <algorithm>
#include <string_view>

#include "simulator/report.h"
#include "simulator/report_format.h"

namespace iris::sim {

namespace {

using namespace reporting;

std::string attr(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + xml_escape(value) + "\"";
}

double total_seconds(const FireReport& r) {
  double total = 0;
  for (const auto& s : r.scenarios) total += s.real_seconds;
  return total;
}

std::string counts(const FireReport& r) {
  const auto failed = std::count_if(r.scenarios.begin(), r.scenarios.end(),
                                    [](const ScenarioResult& s) { return !s.pass; });
  return attr("tests", std::to_string(r.scenarios.size())) +
         attr("failures", std::to_string(failed)) + attr("errors", "0") +
         attr("time", fixed(total_seconds(r), 3));
}

// What broke: the violated invariants with their examples and ids, the figures outside their
// budget, and how to replay the run.
std::string failure_details(const ScenarioResult& s) {
  std::string text;
  for (const auto& i : s.invariants) {
    if (i.ok()) continue;
    text += invariant_lines(i);
    if (!i.ids.empty()) text += "         ids: " + join(i.ids, " ") + "\n";
  }
  for (const auto& f : s.figures) {
    if (!f.ok()) text += figure_line(f) + "\n";
  }
  return text + "replay: " + s.replay + "\n";
}

void property(std::string& out, std::string_view name, std::string_view value) {
  out += "      <property" + attr("name", name) + attr("value", value) + "/>\n";
}

void properties(std::string& out, const FireReport& r) {
  out += "    <properties>\n";
  property(out, "seed", std::to_string(r.seed));
  property(out, "engine_version", r.engine_version);
  property(out, "target", r.target);
  property(out, "scale", r.scale);
  property(out, "machine", machine_text(r.machine));
  property(out, "command", r.command);
  out += "    </properties>\n";
}

void testcase(std::string& out, const ScenarioResult& s) {
  out += "    <testcase" + attr("classname", "iris.fire." + s.target + "." + s.scale) +
         attr("name", s.id + " " + s.name) + attr("time", fixed(s.real_seconds, 3)) + ">\n";
  if (!s.pass) {
    out += "      <failure" + attr("message", s.reason) + attr("type", "FAIL") + ">" +
           xml_escape(failure_details(s)) + "</failure>\n";
  }
  out += "      <system-out>" + xml_escape(summary(s)) + "</system-out>\n";
  out += "    </testcase>\n";
}

}  // namespace

std::string to_junit(const FireReport& report) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites" + attr("name", report.title) + counts(report) + ">\n";
  out += "  <testsuite" + attr("name", "iris-fire") + counts(report) + attr("skipped", "0");
  if (!report.started_utc.empty()) out += attr("timestamp", report.started_utc);
  out += ">\n";
  properties(out, report);
  for (const auto& s : report.scenarios) testcase(out, s);
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace iris::sim
