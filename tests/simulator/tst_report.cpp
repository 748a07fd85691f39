// The fire-test report writers (simulator/report.h): each format carries the whole report in the
// structure its readers expect — JSON parses back field for field, JUnit parses with one testcase
// per scenario, HTML and Markdown keep the section order and one row per scenario — every string
// from the model is escaped, and write_report writes a whole file or none.

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>
#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <limits>

#include "simulator/report.h"
#include "simulator/report_format.h"

using namespace iris::sim;
namespace json = boost::json;

namespace {

// A name that needs escaping in every format: an HTML tag, an entity, both quotes, a table pipe.
const std::string kTrickyName = "Crash <b>&\"'| restart";
const std::string kFailReason = "2 lost, 1 duplicated; latency_p99_ms over budget";

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

Figure figure(std::string name, double value, std::string unit, std::optional<double> budget,
              Figure::Bound bound, bool headline) {
  Figure f;
  f.name = std::move(name);
  f.value = value;
  f.unit = std::move(unit);
  f.how = "measured by the checker for " + f.name;
  f.budget = budget;
  f.bound = bound;
  f.headline = headline;
  return f;
}

std::vector<TimePoint> timeline(int buckets) {
  std::vector<TimePoint> t;
  for (int i = 0; i < buckets; ++i) {
    const double d = i;
    t.push_back({d, 100 + d, 95 + d, i % 5 == 4 ? 0 : 1 + d / 10, i % 5 == 4 ? 0 : 5 + d});
  }
  return t;
}

std::vector<Percentile> spectrum(double scale) {
  return {{0.5, 1 * scale},   {0.9, 2 * scale},     {0.99, 5 * scale},
          {0.999, 9 * scale}, {0.9999, 15 * scale}, {1.0, 40 * scale}};
}

NodeResources node(std::string id, bool alive, std::uint64_t k) {
  return {std::move(id), alive,  k * 1'000'000, k * 10, k * 20, k * 30, k,
          k * 100,       k * 99, k * 5,         k * 2,  k * 3};
}

ScenarioResult passing() {
  ScenarioResult s;
  s.id = "R1";
  s.name = "Split brain";
  s.description = "60 users on 3 nodes; node 0 cut from 1 and 2 for 3 s, then healed.";
  s.seed = 42;
  s.pass = true;
  s.invariants = {{"lost", 0, {}, {}}, {"duplicated", 0, {}, {}}};
  s.figures = {
      figure("latency_p99_ms", 1.9, "ms", 100, Figure::Bound::kAtMost, true),
      figure("throughput", 950, "msg/s", 500, Figure::Bound::kAtLeast, true),
      figure("messages_sent", 10000, "messages", std::nullopt, Figure::Bound::kAtMost, false)};
  s.timeline = timeline(10);
  s.fault_windows = {{"partition {n0}|{n1,n2}", 3, 6}};
  s.spectrum = spectrum(1);
  s.nodes = {node("n0", true, 1), node("n1", true, 2), node("n2", true, 3)};
  s.faults = {{3, "partition {n0}|{n1,n2}"}, {6, "heal"}};
  s.trace_hash = 0x0123456789abcdefULL;
  s.events = 123456;
  s.virtual_seconds = 10;
  s.real_seconds = 0.35;
  s.replay = "iris-fire --scenario R1 --seed 42";
  return s;
}

ScenarioResult failing() {
  ScenarioResult s;
  s.id = "R5";
  s.name = kTrickyName;
  s.description = "Kill and restart a node under traffic; every <acked> message & no \"dup\".";
  s.seed = 7;
  s.pass = false;
  s.reason = kFailReason;
  s.invariants = {{"lost",
                   2,
                   {"u0001#7 acked, never delivered", "payload \x01\xff bytes"},
                   {"u0001#7", "u0002#9"}},
                  {"duplicated", 1, {"u0003#4 delivered twice to u0009"}, {"u0003#4"}},
                  {"reordered", 0, {}, {}}};
  s.figures = {figure("latency_p99_ms", 250, "ms", 100, Figure::Bound::kAtMost, true),
               figure("throughput", 100, "msg/s", 500, Figure::Bound::kAtLeast, false)};
  s.timeline = timeline(30);  // more than a table shows: merged two buckets to a row
  s.fault_windows = {{"kill n1", 5, 8}, {"clog <n2> & more", 10, 12.5}};
  s.spectrum = spectrum(10);
  s.nodes = {node("n0", true, 4), node("n1", false, 5)};
  s.faults = {{5, "kill n1"}, {8, "restart n1"}, {10, "clog <n2> & more | 'x'"}};
  s.trace_hash = 0xfedcba9876543210ULL;
  s.events = 98765;
  s.virtual_seconds = 30;
  s.real_seconds = 1.25;
  s.replay = "iris-fire --scenario R5 --seed 7";
  return s;
}

// Nothing recorded over time: the empty-data paths.
ScenarioResult quiet() {
  ScenarioResult s;
  s.id = "HOT";
  s.name = "Hot | recipient";
  s.seed = 3;
  s.pass = true;
  s.invariants = {{"lost", 0, {}, {}}};
  s.figures = {figure("delivered", 0, "messages", std::nullopt, Figure::Bound::kAtMost, true)};
  s.fault_windows = {{"slow disk", 1, 2}};
  s.trace_hash = 1;
  s.replay = "iris-fire --scenario HOT --seed 3";
  return s;
}

FireReport fixed_report() {
  FireReport r;
  r.engine_version = "0.1.0";
  r.started_utc = "2026-01-08T10:00:00Z";
  r.machine = {"Test CPU @ 2.00GHz", 2, 8ULL << 30, "Linux 6.1.0, Debian GNU/Linux 12 (bookworm)"};
  r.seed = 42;
  r.command = "iris-fire --all --seed 42 --report out.html";
  r.scenarios = {passing(), failing(), quiet()};
  return r;
}

int occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) {
    ++n;
  }
  return n;
}

// The text between `from` and the next `to` after it ("" when `from` is missing).
std::string between(const std::string& text, const std::string& from, const std::string& to) {
  const auto begin = text.find(from);
  if (begin == std::string::npos) return "";
  const auto end = text.find(to, begin + from.size());
  return text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

// Every item of `in_order` appears in `text`, each after the one before.
void verifyInOrder(const std::string& text, const std::vector<std::string>& in_order) {
  std::size_t at = 0;
  for (const auto& item : in_order) {
    const auto found = text.find(item, at);
    QVERIFY2(found != std::string::npos, qPrintable("missing or out of order: " + q(item)));
    at = found + item.size();
  }
}

// The sections of each scenario, in order (simulator/report.h).
const std::vector<std::string> kScenarioSections = {"Figures",
                                                    "Throughput and latency over time",
                                                    "Latency percentile spectrum",
                                                    "Per-node resources",
                                                    "Anomalies",
                                                    "Fault log"};

json::value parse(const std::string& text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) qWarning("invalid JSON: %s", ec.message().c_str());
  return v;
}

double num(const json::value& v) {
  return json::value_to<double>(v);
}
std::uint64_t whole(const json::value& v) {
  return json::value_to<std::uint64_t>(v);
}
std::string str(const json::value& v) {
  return std::string(v.as_string());
}

std::vector<std::string> strings(const json::value& v) {
  std::vector<std::string> out;
  for (const auto& s : v.as_array()) out.push_back(str(s));
  return out;
}

QString readFile(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QString::fromUtf8(f.readAll());
}

// verify(json, model): the JSON object holds every field of the model object, equal.
void verify(const json::value& j, const InvariantResult& m) {
  QCOMPARE(q(str(j.at("name"))), q(m.name));
  QCOMPARE(whole(j.at("violations")), m.violations);
  QCOMPARE(j.at("ok").as_bool(), m.ok());
  QCOMPARE(strings(j.at("ids")), m.ids);
  QCOMPARE(strings(j.at("examples")).size(), m.examples.size());  // UTF-8 repaired: see below
}

void verify(const json::value& j, const Figure& f) {
  QCOMPARE(q(str(j.at("name"))), q(f.name));
  QCOMPARE(num(j.at("value")), f.value);
  QCOMPARE(q(str(j.at("unit"))), q(f.unit));
  QCOMPARE(q(str(j.at("how"))), q(f.how));
  QCOMPARE(j.at("budget").is_null(), !f.budget);
  if (f.budget) QCOMPARE(num(j.at("budget")), *f.budget);
  QCOMPARE(q(str(j.at("bound"))),
           QString(f.bound == Figure::Bound::kAtMost ? "at_most" : "at_least"));
  QCOMPARE(j.at("headline").as_bool(), f.headline);
  QCOMPARE(j.at("ok").as_bool(), f.ok());
}

void verify(const json::value& j, const TimePoint& p) {
  QCOMPARE(num(j.at("t_s")), p.t_s);
  QCOMPARE(num(j.at("sent_per_s")), p.sent_per_s);
  QCOMPARE(num(j.at("delivered_per_s")), p.delivered_per_s);
  QCOMPARE(num(j.at("p50_ms")), p.p50_ms);
  QCOMPARE(num(j.at("p99_ms")), p.p99_ms);
}

void verify(const json::value& j, const FaultWindow& w) {
  QCOMPARE(q(str(j.at("label"))), q(w.label));
  QCOMPARE(num(j.at("from_s")), w.from_s);
  QCOMPARE(num(j.at("to_s")), w.to_s);
}

void verify(const json::value& j, const Percentile& p) {
  QCOMPARE(num(j.at("p")), p.p);
  QCOMPARE(num(j.at("ms")), p.ms);
}

void verify(const json::value& j, const NodeResources& n) {
  QCOMPARE(q(str(j.at("id"))), q(n.id));
  QCOMPARE(j.at("alive_at_end").as_bool(), n.alive_at_end);
  QCOMPARE(whole(j.at("peak_memory_bytes")), n.peak_memory_bytes);
  QCOMPARE(whole(j.at("peak_sessions")), n.peak_sessions);
  QCOMPARE(whole(j.at("peak_inbox_messages")), n.peak_inbox_messages);
  QCOMPARE(whole(j.at("peak_store_rows")), n.peak_store_rows);
  QCOMPARE(whole(j.at("store_rows_at_end")), n.store_rows_at_end);
  QCOMPARE(whole(j.at("sends_accepted")), n.sends_accepted);
  QCOMPARE(whole(j.at("delivered")), n.delivered);
  QCOMPARE(whole(j.at("forwarded")), n.forwarded);
  QCOMPARE(whole(j.at("handoff_queued")), n.handoff_queued);
  QCOMPARE(whole(j.at("refused")), n.refused);
}

void verify(const json::value& j, const FaultEvent& f) {
  QCOMPARE(num(j.at("at_s")), f.at_s);
  QCOMPARE(q(str(j.at("what"))), q(f.what));
}

void verify(const json::value& j, const ScenarioResult& s);

template <typename T>
void verifyEach(const json::value& array, const std::vector<T>& items) {
  QCOMPARE(array.as_array().size(), items.size());
  for (std::size_t i = 0; i < items.size(); ++i) verify(array.at(i), items[i]);
}

void verify(const json::value& j, const ScenarioResult& s) {
  QCOMPARE(q(str(j.at("scenario"))), q(s.id));
  QCOMPARE(q(str(j.at("name"))), q(s.name));
  QCOMPARE(q(str(j.at("description"))), q(s.description));
  QCOMPARE(q(str(j.at("target"))), q(s.target));
  QCOMPARE(q(str(j.at("scale"))), q(s.scale));
  QCOMPARE(whole(j.at("seed")), s.seed);
  QCOMPARE(q(str(j.at("verdict"))), QString(s.pass ? "PASS" : "FAIL"));
  QCOMPARE(q(str(j.at("reason"))), q(s.reason));
  QCOMPARE(num(j.at("bucket_s")), s.bucket_s);
  QCOMPARE(q(str(j.at("trace_hash"))),
           QString::asprintf("%016llx", static_cast<unsigned long long>(s.trace_hash)));
  QCOMPARE(whole(j.at("events")), s.events);
  QCOMPARE(num(j.at("virtual_seconds")), s.virtual_seconds);
  QCOMPARE(num(j.at("real_seconds")), s.real_seconds);
  QCOMPARE(q(str(j.at("replay"))), q(s.replay));
  verifyEach(j.at("invariants"), s.invariants);
  verifyEach(j.at("figures"), s.figures);
  verifyEach(j.at("timeline"), s.timeline);
  verifyEach(j.at("fault_windows"), s.fault_windows);
  verifyEach(j.at("spectrum"), s.spectrum);
  verifyEach(j.at("nodes"), s.nodes);
  verifyEach(j.at("faults"), s.faults);
}

}  // namespace

class TestReport : public QObject {
  Q_OBJECT

 private slots:
  void jsonHoldsEveryField();
  void jsonOfOneScenarioIsTheReportsObject();
  void jsonWritesNonFiniteAsNull();
  void junitParsesWithAFailureForEachFailedScenario();
  void htmlIsSelfContainedAndInOrder();
  void htmlChartsHaveNoNaN();
  void htmlFaultWindowsAndAxesReadWell();
  void markdownSectionsInOrderAndEscaped();
  void emptyReportIsStillValid();
  void summaryNamesVerdictFiguresAndReplay();
  void writeReportEachFormat_data();
  void writeReportEachFormat();
  void writeReportRefusesUnknownFormat_data();
  void writeReportRefusesUnknownFormat();
  void writeReportLeavesNothingWhenItCannotWrite();
  void writeReportReplacesAWholeFile();
  void numbersForPeople_data();
  void numbersForPeople();
  void xmlEscapeDropsWhatXmlForbids();
  void thisMachineIsDescribed();
  void samplesForPeopleToRead();
};

void TestReport::jsonHoldsEveryField() {
  const FireReport r = fixed_report();
  const json::value v = parse(to_json(r));
  QVERIFY(v.is_object());
  const auto& o = v.as_object();
  QCOMPARE(q(str(o.at("title"))), q(r.title));
  QCOMPARE(q(str(o.at("verdict"))), QString("FAIL"));
  QCOMPARE(q(str(o.at("engine_version"))), q(r.engine_version));
  QCOMPARE(q(str(o.at("started_utc"))), q(r.started_utc));
  QCOMPARE(q(str(o.at("target"))), q(r.target));
  QCOMPARE(q(str(o.at("scale"))), q(r.scale));
  QCOMPARE(whole(o.at("seed")), r.seed);
  QCOMPARE(q(str(o.at("command"))), q(r.command));
  const auto& m = o.at("machine").as_object();
  QCOMPARE(q(str(m.at("cpu"))), q(r.machine.cpu));
  QCOMPARE(whole(m.at("cores")), std::uint64_t{r.machine.cores});
  QCOMPARE(whole(m.at("memory_bytes")), r.machine.memory_bytes);
  QCOMPARE(q(str(m.at("os"))), q(r.machine.os));
  verifyEach(o.at("scenarios"), r.scenarios);
  if (QTest::currentTestFailed()) return;
  // The malformed byte in an example is repaired, not passed on as invalid UTF-8.
  const auto& lost = o.at("scenarios").at(1).at("invariants").at(0).at("examples").at(1);
  QCOMPARE(q(str(lost)), QString::fromUtf8("payload \x01\xEF\xBF\xBD bytes"));
}

void TestReport::jsonOfOneScenarioIsTheReportsObject() {
  const FireReport r = fixed_report();
  const json::value whole_report = parse(to_json(r));
  for (std::size_t i = 0; i < r.scenarios.size(); ++i) {
    QVERIFY(parse(to_json(r.scenarios[i])) == whole_report.at("scenarios").at(i));
  }
}

void TestReport::jsonWritesNonFiniteAsNull() {
  FireReport r = fixed_report();
  r.scenarios[0].figures[0].value = std::numeric_limits<double>::quiet_NaN();
  r.scenarios[0].figures[1].budget = std::numeric_limits<double>::infinity();
  r.scenarios[0].timeline[2].p99_ms = -std::numeric_limits<double>::infinity();
  r.scenarios[0].real_seconds = std::numeric_limits<double>::quiet_NaN();
  json::error_code ec;
  const json::value v = json::parse(to_json(r), ec);
  QVERIFY2(!ec, ec.message().c_str());
  const auto& s = v.at("scenarios").at(0);
  QVERIFY(s.at("figures").at(0).at("value").is_null());
  QVERIFY(s.at("figures").at(1).at("budget").is_null());
  QVERIFY(s.at("timeline").at(2).at("p99_ms").is_null());
  QVERIFY(s.at("real_seconds").is_null());
  QCOMPARE(num(s.at("figures").at(2).at("value")), 10000.0);
}

void TestReport::junitParsesWithAFailureForEachFailedScenario() {
  const FireReport r = fixed_report();
  const std::string xml = to_junit(r);
  QVERIFY(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  QXmlStreamReader reader(QByteArray::fromStdString(xml));
  QStringList cases, failed, outputs;
  QString current, failureText;
  bool suite = false;
  while (!reader.atEnd()) {
    if (reader.readNext() != QXmlStreamReader::StartElement) continue;
    const auto a = reader.attributes();
    if (reader.name() == u"testsuite") {
      suite = true;
      QCOMPARE(a.value("name").toString(), QString("iris-fire"));
      QCOMPARE(a.value("tests").toString(), QString("3"));
      QCOMPARE(a.value("failures").toString(), QString("1"));
      QCOMPARE(a.value("errors").toString(), QString("0"));
      QCOMPARE(a.value("time").toString(), QString("1.600"));
      QCOMPARE(a.value("timestamp").toString(), q(r.started_utc));
    } else if (reader.name() == u"testcase") {
      QCOMPARE(a.value("classname").toString(), QString("iris.fire.simulator.smoke"));
      current = a.value("name").toString();
      cases << current;
    } else if (reader.name() == u"failure") {
      failed << current;
      QCOMPARE(a.value("message").toString(), q(kFailReason));
      QCOMPARE(a.value("type").toString(), QString("FAIL"));
      failureText = reader.readElementText();
    } else if (reader.name() == u"system-out") {
      outputs << reader.readElementText();
    }
  }
  QVERIFY2(!reader.hasError(), qPrintable(reader.errorString()));
  QVERIFY(suite);
  QCOMPARE(cases, (QStringList{"R1 Split brain", q("R5 " + kTrickyName), "HOT Hot | recipient"}));
  QCOMPARE(failed, QStringList{q("R5 " + kTrickyName)});
  for (const char* expected :
       {"FAIL lost (2)", "u0001#7", "u0002#9", "FAIL duplicated (1)", "latency_p99_ms", "OVER",
        "UNDER", "replay: iris-fire --scenario R5"}) {
    QVERIFY2(failureText.contains(expected), expected);
  }
  QVERIFY(!failureText.contains("reordered"));  // it held
  QCOMPARE(outputs.size(), 3);
  QVERIFY(outputs[0].contains("latency_p99_ms") &&
          outputs[0].contains("replay: " + q(passing().replay)));
}

void TestReport::htmlIsSelfContainedAndInOrder() {
  const FireReport r = fixed_report();
  const std::string html = to_html(r);
  QVERIFY(html.starts_with("<!DOCTYPE html>"));

  std::vector<std::string> order = {"<h2>Verdict</h2>", "<h2>Headline figures</h2>"};
  for (const auto& s : r.scenarios) {
    order.push_back("<h2>" + s.id + " — ");
    for (const auto& title : kScenarioSections) order.push_back("<h3>" + title + "</h3>");
  }
  order.push_back("<h2>Reproduce</h2>");
  verifyInOrder(html, order);

  const std::string verdicts = between(html, "<h2>Verdict</h2>", "</table>");
  QCOMPARE(occurrences(verdicts, "<tr>"), 1 + 3);  // the header and a row per scenario
  QCOMPARE(occurrences(verdicts, "<td class=\"good\">PASS</td>"), 2);
  QCOMPARE(occurrences(verdicts, "<td class=\"bad\">FAIL</td>"), 1);

  // Each ID links to its scenario's section.
  for (const auto& s : r.scenarios) {
    QCOMPARE(occurrences(verdicts, "<a href=\"#scenario-" + s.id + "\">" + s.id + "</a>"), 1);
  }

  // Headline figures grouped by scenario: the ID once, over its rows; a rule between groups.
  const std::string headline = between(html, "<h2>Headline figures</h2>", "</table>");
  QCOMPARE(occurrences(headline, "<tr"), 1 + 5);
  QCOMPARE(occurrences(headline, "rowspan=\"2\""), 2);  // R1 and R5 have two each, HOT one
  QCOMPARE(occurrences(headline, "<tr class=\"group-start\">"), 2);
  QCOMPARE(occurrences(headline, ">R5</a>"), 1);
  QVERIFY(headline.find("<td class=\"num\">250 ms</td><td class=\"num\">≤ 100 ms</td>") !=
          std::string::npos);  // measured beside budget, each with its unit

  // Three charts per scenario; a band for every distinct fault window on both timeline charts,
  // except where the timeline is empty ("no data").
  QCOMPARE(occurrences(html, "<svg"), 3 * 3);
  QCOMPARE(occurrences(html, "class=\"fault-band\""), 2 * (1 + 2));
  QCOMPARE(occurrences(html, ">no data</text>"), 3);

  QCOMPARE(occurrences(html, "<script"), 0);
  QCOMPARE(occurrences(html, "<link"), 0);
  QCOMPARE(occurrences(html, "url("), 0);
  QCOMPARE(occurrences(html, "@import"), 0);
  QCOMPARE(occurrences(html, "src="), 0);
  QCOMPARE(occurrences(html, "http"), occurrences(html, "xmlns=\"http://www.w3.org/2000/svg\""));

  QVERIFY(html.find("Crash &lt;b&gt;&amp;&quot;&#39;| restart") != std::string::npos);
  QVERIFY(html.find("clog &lt;n2&gt; &amp; more") != std::string::npos);
  QCOMPARE(occurrences(html, "<b>"), 0);
  QCOMPARE(occurrences(html, "<acked>"), 0);
  QVERIFY(html.find("@media print") != std::string::npos);
  QVERIFY(html.find("page-break-inside: avoid") != std::string::npos);
  QVERIFY(html.find("0123456789abcdef") != std::string::npos);  // R1's trace hash
}

void TestReport::htmlChartsHaveNoNaN() {
  FireReport r = fixed_report();
  r.scenarios[0].timeline[3].sent_per_s = std::numeric_limits<double>::quiet_NaN();
  r.scenarios[0].timeline[4].p99_ms = std::numeric_limits<double>::infinity();
  r.scenarios[0].spectrum[2].ms = std::numeric_limits<double>::quiet_NaN();
  r.scenarios[1].timeline.resize(1);  // a single point: a dot, not a line
  const std::string html = to_html(r);
  const QRegularExpression bad(R"re(="[^"]*(nan|inf)[^"]*")re",
                               QRegularExpression::CaseInsensitiveOption);
  const auto match = bad.match(q(html));
  QVERIFY2(!match.hasMatch(), qPrintable(match.captured(0)));
  QCOMPARE(occurrences(html, "<svg"), 3 * 3);
}

// What makes the charts readable: fault windows with the same start and end share a band and a
// number; band labels never share a spot; latencies from 0.5 ms to 8 s get a log axis with a
// tick per decade; rates up to 50,000/s get round ticks without exponents.
void TestReport::htmlFaultWindowsAndAxesReadWell() {
  FireReport r;
  ScenarioResult s = passing();
  s.fault_windows = {{"cut n00 -> n01", 3, 6},   {"cut n00 -> n02", 3, 6},
                     {"cut n01 -> n00", 3, 6},   {"cut n02 -> n00", 3, 6},
                     {"KillNode n01", 6.5, 6.6}, {"SlowDisk n02 20000 us", 6.5, 7},
                     {"StallDisk n02", 6.6, 7}};
  for (std::size_t i = 0; i < s.timeline.size(); ++i) {
    s.timeline[i].sent_per_s = 5000.0 * static_cast<double>(i + 1);  // up to 50,000/s
    s.timeline[i].p50_ms = 0.5;
    s.timeline[i].p99_ms = i == 5 ? 8000 : 3;
  }
  r.scenarios = {s};
  const std::string html = to_html(r);

  QCOMPARE(occurrences(html, "class=\"fault-band\""), 2 * 4);
  const std::string list = between(html, "<ol class=\"windows\">", "</ol>");
  QCOMPARE(occurrences(list, "<li>"), 4);
  QCOMPARE(occurrences(list,
                       "<li>cut n00 -&gt; n01, n00 -&gt; n02, n01 -&gt; n00, n02 -&gt; n00: "
                       "3 s – 6 s</li>"),
           1);
  QCOMPARE(occurrences(html, "</tspan> cut ×4"), 2);  // the shared band's label, on each chart

  // Band labels: one per band and chart, and no two where they would print over each other.
  const QRegularExpression label(
      R"re(<text x="([0-9.]+)" y="([0-9.]+)" font-size="10" fill="#a50e0e">)re");
  for (const std::string& chart : {between(html, "<svg", "</svg>"),
                                   between(html.substr(html.find("</svg>")), "<svg", "</svg>")}) {
    std::vector<std::pair<double, double>> at;
    for (auto it = label.globalMatch(q(chart)); it.hasNext();) {
      const auto m = it.next();
      at.emplace_back(m.captured(1).toDouble(), m.captured(2).toDouble());
    }
    QCOMPARE(at.size(), std::size_t{4});
    for (std::size_t i = 0; i < at.size(); ++i) {
      for (std::size_t j = i + 1; j < at.size(); ++j) {
        QVERIFY2(at[i].second != at[j].second || std::abs(at[i].first - at[j].first) > 20,
                 qPrintable(QString("labels %1 and %2 collide").arg(i).arg(j)));
      }
    }
  }

  const std::string throughput = between(html, "<title>Throughput</title>", "</svg>");
  for (const char* tick : {">0<", ">10,000<", ">50,000<"}) {
    QVERIFY2(throughput.find(tick) != std::string::npos, tick);
  }
  QCOMPARE(occurrences(throughput, "e+"), 0);
  const std::string latency = between(html, "<title>Latency</title>", "</svg>");
  QVERIFY(latency.find("latency (ms), log scale") != std::string::npos);
  for (const char* tick : {">0.1<", ">1<", ">10<", ">100<", ">1,000<", ">10,000<"}) {
    QVERIFY2(latency.find(tick) != std::string::npos, tick);
  }
  // A narrow range stays linear, from zero.
  const std::string spectrum =
      between(html, "<title>Latency percentile spectrum</title>", "</svg>");
  QCOMPARE(occurrences(spectrum, "log scale"), 0);
  QVERIFY(spectrum.find(">0<") != std::string::npos);

  const std::string md = to_markdown(r);
  QCOMPARE(occurrences(md,
                       "\n- cut n00 -&gt; n01, n00 -&gt; n02, n01 -&gt; n00, n02 -&gt; n00: 3 s – "
                       "6 s\n"),
           1);
  QCOMPARE(occurrences(md, "\n- KillNode n01: 6.5 s – 6.6 s\n"), 1);
}

void TestReport::markdownSectionsInOrderAndEscaped() {
  const FireReport r = fixed_report();
  const std::string md = to_markdown(r);
  QVERIFY(md.starts_with("# Iris fire-test report\n"));
  QVERIFY(md.find("❌ **FAIL — 1 of 3 scenarios failed: R5**") != std::string::npos);

  std::vector<std::string> order = {"\n## Verdict\n", "\n## Headline figures\n"};
  for (const auto& s : r.scenarios) {
    order.push_back("\n## " + s.id + " — ");
    for (const auto& title : kScenarioSections) order.push_back("\n### " + title + "\n");
  }
  order.push_back("\n## Reproduce\n");
  verifyInOrder(md, order);

  // Every table row has as many unescaped pipes as its header: no cell broke the table.
  const QStringList lines = q(md).split('\n');
  const QRegularExpression pipe(R"((?<!\\)\|)");
  int columns = -1;
  for (const QString& line : lines) {
    if (!line.startsWith('|')) {
      columns = -1;
      continue;
    }
    const int n = static_cast<int>(line.count(pipe));
    if (columns < 0) columns = n;
    QVERIFY2(n == columns, qPrintable(line));
  }

  QVERIFY(std::none_of(md.begin(), md.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 && c != '\n';  // the example's \x01 is dropped
  }));

  const std::string verdicts = between(md, "\n## Verdict\n", "\n## ");
  QCOMPARE(occurrences(verdicts, "\n| "), 1 + 3);  // the header and a row per scenario
  QVERIFY(verdicts.find("Hot \\| recipient") != std::string::npos);
  QVERIFY(verdicts.find("Crash &lt;b&gt;&amp;\"'\\| restart") != std::string::npos);

  const std::string headline = between(md, "\n## Headline figures\n", "\n## ");
  QCOMPARE(occurrences(headline, "\n| "), 1 + 5);  // budgeted or headline figures only
  QCOMPARE(occurrences(headline, "messages_sent"), 0);
  QVERIFY(headline.find("❌ **OVER**") != std::string::npos);
  QVERIFY(headline.find("❌ **UNDER**") != std::string::npos);

  // R5's 30 buckets are merged two to a row; the empty timeline says so.
  const std::string r5 = between(md, "\n## R5 — ", "\n### Latency percentile spectrum");
  QVERIFY(r5.find("merged 2 to a row") != std::string::npos);
  QCOMPARE(occurrences(r5, "\n| 0–2 |"), 1);
  QVERIFY(md.find("No timeline was recorded") != std::string::npos);
  QVERIFY(r5.find("- kill n1: 5 s – 8 s") != std::string::npos);

  const std::string anomalies = between(md, "\n## R5 — ", "\n### Fault log");
  QVERIFY(anomalies.find("**lost: 2 violations**") != std::string::npos);
  QVERIFY(anomalies.find("`u0001#7`, `u0002#9`") != std::string::npos);
  QVERIFY(anomalies.find("**duplicated: 1 violation**") != std::string::npos);

  const std::string reproduce = between(md, "\n## Reproduce\n", "\n---");
  for (const std::string& expected : std::vector<std::string>{
           "**Seed**: 42", "**Engine version**: 0.1.0", "Test CPU @ 2.00GHz, 2 cores, 8.0 GiB RAM",
           r.command, passing().replay, failing().replay, "`0123456789abcdef`",
           "`fedcba9876543210`"}) {
    QVERIFY2(reproduce.find(expected) != std::string::npos, expected.c_str());
  }
}

void TestReport::emptyReportIsStillValid() {
  const FireReport r;
  const json::value v = parse(to_json(r));
  QVERIFY(v.is_object());
  QCOMPARE(q(str(v.at("verdict"))), QString("FAIL"));
  QVERIFY(v.at("scenarios").as_array().empty());
  QXmlStreamReader reader(QByteArray::fromStdString(to_junit(r)));
  while (!reader.atEnd()) reader.readNext();
  QVERIFY(!reader.hasError());
  QVERIFY(to_html(r).find("No scenario ran.") != std::string::npos);
  QVERIFY(to_markdown(r).find("No scenario ran.") != std::string::npos);
}

void TestReport::summaryNamesVerdictFiguresAndReplay() {
  const QString fail = q(summary(failing()));
  QVERIFY(fail.startsWith(q("R5 " + kTrickyName + " (seed 7): FAIL — " + kFailReason + "\n")));
  QVERIFY(fail.contains("  FAIL lost (2)\n         u0001#7 acked, never delivered\n"));
  QVERIFY(fail.contains("  ok   reordered (0)\n"));
  QVERIFY(fail.contains("(budget 100 ms: OVER)"));
  QVERIFY(fail.contains("(floor 500 msg/s: UNDER)"));
  QVERIFY(fail.contains("trace fedcba9876543210, 98,765 events, 30 s virtual in 1.25 s real"));
  QVERIFY(fail.endsWith("  replay: iris-fire --scenario R5 --seed 7\n"));
  const QString pass = q(summary(passing()));
  QVERIFY(pass.startsWith("R1 Split brain (seed 42): PASS\n"));
  QVERIFY(pass.contains("(floor 500 msg/s: ok)"));
  QVERIFY(pass.contains("messages_sent"));
}

void TestReport::writeReportEachFormat_data() {
  QTest::addColumn<QString>("file");
  QTest::addColumn<QString>("format");
  QTest::newRow("json") << "report.json"
                        << "json";
  QTest::newRow("markdown") << "report.md"
                            << "md";
  QTest::newRow("html") << "report.html"
                        << "html";
  QTest::newRow("junit") << "report.xml"
                         << "xml";
  QTest::newRow("upper-case extension") << "REPORT.HTML"
                                        << "html";
}

void TestReport::writeReportEachFormat() {
  QFETCH(QString, file);
  QFETCH(QString, format);
  const FireReport r = fixed_report();
  const std::string expected = format == "json"   ? to_json(r)
                               : format == "md"   ? to_markdown(r)
                               : format == "html" ? to_html(r)
                                                  : to_junit(r);
  QTemporaryDir dir;
  QVERIFY(dir.isValid());
  const QString path = dir.filePath(file);
  QCOMPARE(q(write_report(r, path.toStdString())), QString());
  QCOMPARE(readFile(path), q(expected));
  QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{file});
}

void TestReport::writeReportRefusesUnknownFormat_data() {
  QTest::addColumn<QString>("file");
  QTest::addColumn<QString>("extension");
  QTest::newRow("txt") << "report.txt"
                       << ".txt";
  QTest::newRow("none") << "report"
                        << "";
  QTest::newRow("pdf") << "report.PDF"
                       << ".PDF";
}

void TestReport::writeReportRefusesUnknownFormat() {
  QFETCH(QString, file);
  QFETCH(QString, extension);
  QTemporaryDir dir;
  const std::string reason = write_report(fixed_report(), dir.filePath(file).toStdString());
  QCOMPARE(q(reason), "unknown report format '" + extension + "' (use .json .md .html .xml)");
  QVERIFY(QDir(dir.path()).isEmpty(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot));
}

// A directory that does not exist, and a target that is a directory (the rename fails after the
// whole file was written): a reason, and no file nor temporary left behind.
void TestReport::writeReportLeavesNothingWhenItCannotWrite() {
  QTemporaryDir dir;
  const QString missing = dir.filePath("no-such-dir/report.json");
  const std::string reason = write_report(fixed_report(), missing.toStdString());
  QVERIFY(!reason.empty());
  QVERIFY2(q(reason).contains(missing), reason.c_str());
  QVERIFY(QDir(dir.path()).isEmpty(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot));

  QVERIFY(QDir(dir.path()).mkdir("taken.html"));
  const std::string taken = write_report(fixed_report(), dir.filePath("taken.html").toStdString());
  QVERIFY(!taken.empty());
  QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
           QStringList{"taken.html"});
  QVERIFY(QDir(dir.filePath("taken.html")).isEmpty());
}

void TestReport::writeReportReplacesAWholeFile() {
  QTemporaryDir dir;
  const QString path = dir.filePath("report.md");
  QFile old(path);
  QVERIFY(old.open(QIODevice::WriteOnly));
  old.write(QByteArray(200'000, 'x'));  // longer than the report: nothing of it may remain
  old.close();
  const FireReport r = fixed_report();
  QCOMPARE(q(write_report(r, path.toStdString())), QString());
  QCOMPARE(readFile(path), q(to_markdown(r)));
}

void TestReport::numbersForPeople_data() {
  QTest::addColumn<double>("value");
  QTest::addColumn<QString>("text");
  QTest::newRow("zero") << 0.0 << "0";
  QTest::newRow("small") << 0.00123 << "0.00123";
  QTest::newRow("two decimals") << 1.875 << "1.88";
  QTest::newRow("trailing zeros") << 12.5 << "12.5";
  QTest::newRow("whole") << 42.0 << "42";
  QTest::newRow("thousands") << 99898.4 << "99,898";
  QTest::newRow("millions") << -1234567.0 << "-1,234,567";
  QTest::newRow("nan") << std::numeric_limits<double>::quiet_NaN() << "n/a";
  QTest::newRow("infinity") << std::numeric_limits<double>::infinity() << "n/a";
}

void TestReport::numbersForPeople() {
  QFETCH(double, value);
  QFETCH(QString, text);
  QCOMPARE(q(reporting::number(value)), text);
  QCOMPARE(q(reporting::percentile_label(0.5)), QString("p50"));
  QCOMPARE(q(reporting::percentile_label(0.999)), QString("p99.9"));
  QCOMPARE(q(reporting::percentile_label(0.9999)), QString("p99.99"));
  QCOMPARE(q(reporting::percentile_label(1.0)), QString("max"));
  QCOMPARE(q(reporting::bytes(1536)), QString("1.5 KiB"));
}

void TestReport::xmlEscapeDropsWhatXmlForbids() {
  QCOMPARE(q(reporting::xml_escape("a<b>&\"'\x01\x1f\tz")),
           QString("a&lt;b&gt;&amp;&quot;&#39;\tz"));
  QCOMPARE(q(reporting::xml_escape("\xff\xc3")), QString::fromUtf8("\xEF\xBF\xBD\xEF\xBF\xBD"));
  QCOMPARE(q(reporting::xml_escape("\xEF\xBF\xBF")), QString());  // U+FFFF
  QCOMPARE(q(reporting::xml_escape("é ☃ 😀")), QString::fromUtf8("é ☃ 😀"));
  QCOMPARE(q(reporting::valid_utf8("\xC0\xAF")), QString::fromUtf8("\xEF\xBF\xBD\xEF\xBF\xBD"));
}

void TestReport::thisMachineIsDescribed() {
  const MachineInfo m = this_machine();
  QVERIFY(m.cores > 0);
  QVERIFY(m.memory_bytes > 0);
  QVERIFY(q(m.os).startsWith("Linux "));
}

// IRIS_REPORT_SAMPLES=/tmp tst_report writes the fixed report in every format, to look at.
void TestReport::samplesForPeopleToRead() {
  const QString dir = qEnvironmentVariable("IRIS_REPORT_SAMPLES");
  if (dir.isEmpty()) QSKIP("set IRIS_REPORT_SAMPLES to a directory to write sample reports");
  for (const char* ext : {"html", "md", "json", "xml"}) {
    const QString path = QDir(dir).filePath(QString("report-sample.") + ext);
    QCOMPARE(q(write_report(fixed_report(), path.toStdString())), QString());
  }
}

QTEST_GUILESS_MAIN(TestReport)
#include "tst_report.moc"
