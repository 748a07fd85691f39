// The report as a PDF: a real PDF of several pages (every scenario starts on a page of its own),
// a sensible size, and a path that cannot be written gives a reason and leaves nothing behind.
// Set IRIS_PDF_SAMPLES to a directory to keep the PDFs there, to look at them (pdftoppm -png ...).

#include <spdlog/spdlog.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "simulator/scenario.h"
#include "ui/pdf_report.h"

using namespace iris;

class TestPdf : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase();
  void writesAPdfOfSeveralPages();
  void longTablesAndListsBreakAcrossPages();
  void anUnwritablePathGivesAReasonAndLeavesNothing();
  void replacesAnExistingFileWhole();

 private:
  sim::FireReport report_;
};

namespace {

QByteArray read(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A copy in $IRIS_PDF_SAMPLES, when set.
void keep(const QString& path, const QString& name) {
  const QString dir = qEnvironmentVariable("IRIS_PDF_SAMPLES");
  if (dir.isEmpty()) return;
  const QString copy = QDir(dir).filePath(name);
  QFile::remove(copy);
  QVERIFY(QFile::copy(path, copy));
}

// Page objects ("/Type /Page"), not the page tree ("/Type /Pages").
int pages(const QByteArray& pdf) {
  static const QRegularExpression page(R"(/Type\s*/Page(?![a-zA-Z]))");
  int n = 0;
  for (auto it = page.globalMatch(QString::fromLatin1(pdf)); it.hasNext(); it.next()) ++n;
  return n;
}

}  // namespace

void TestPdf::initTestCase() {
  spdlog::set_level(spdlog::level::err);
  report_.engine_version = "0.1.0";
  report_.started_utc = "2024-01-01T00:00:00Z";
  report_.machine = sim::this_machine();
  report_.seed = 1;
  report_.command = "tst_pdf";
  report_.scenarios.push_back(sim::run_scenario("F1", 1));
  report_.scenarios.push_back(sim::run_scenario("R1", 1));
  sim::ScenarioOptions sabotage;
  sabotage.sabotage = core::Sabotage::kAckThenDrop;
  report_.scenarios.push_back(sim::run_scenario("F1", 1, sabotage));
  QVERIFY(report_.scenarios[0].pass);
  QVERIFY(report_.scenarios[1].pass);
  QVERIFY(!report_.scenarios[2].pass);  // its anomalies, with message ids, are in the PDF
  QVERIFY(!report_.scenarios[2].invariants.empty());
}

void TestPdf::writesAPdfOfSeveralPages() {
  QTemporaryDir dir;
  const QString path = dir.filePath("report.pdf");
  QCOMPARE(ui::write_pdf(report_, path), QString());
  const QByteArray pdf = read(path);
  QVERIFY(pdf.startsWith("%PDF-"));
  QVERIFY(pdf.trimmed().endsWith("%%EOF"));
  // The title page, then each of the 3 scenarios from a new page, then Reproduce.
  const int n = pages(pdf);
  QVERIFY2(n >= 1 + 3 + 1, qPrintable(QString::number(n)));
  QVERIFY2(n <= 30, qPrintable(QString::number(n)));
  // Charts as vectors and text as embedded font subsets: tens of KiB, not tens of MiB.
  QVERIFY2(pdf.size() > 20 * 1024, qPrintable(QString::number(pdf.size())));
  QVERIFY2(pdf.size() < 8 * 1024 * 1024, qPrintable(QString::number(pdf.size())));
  // Nothing else beside it: the temporary file was renamed, not left.
  QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{"report.pdf"});
  keep(path, "report.pdf");
}

// More fault log than fits on a page, hundreds of offending ids, a node table of many rows: cut
// across pages (a table between rows, its header repeated), never lost and never past the foot.
void TestPdf::longTablesAndListsBreakAcrossPages() {
  sim::FireReport r = report_;
  r.scenarios.resize(1);
  sim::ScenarioResult& s = r.scenarios[0];
  for (int i = 0; i < 150; ++i) {
    s.faults.push_back({0.1 * i, "SlowDisk n0" + std::to_string(i % 3) + " 20000 us"});
  }
  for (int i = 0; i < 40; ++i) {
    sim::NodeResources n;
    n.id = "n" + std::to_string(100 + i);
    s.nodes.push_back(n);
  }
  sim::InvariantResult lost{"lost", 900, {}, {}};
  for (int i = 0; i < 20; ++i)
    lost.examples.push_back("u" + std::to_string(i) + " never delivered");
  for (int i = 0; i < 400; ++i) lost.ids.push_back("u" + std::to_string(i) + "#17672256000000");
  lost.examples.push_back("u1 sent " + std::string(300, 'x'));  // no place to break a line
  s.invariants.push_back(lost);
  s.faults.push_back({15, "Corrupt " + std::string(200, 'y')});
  s.pass = false;

  QTemporaryDir dir;
  const QString path = dir.filePath("long.pdf");
  QCOMPARE(ui::write_pdf(r, path), QString());
  const QByteArray pdf = read(path);
  QVERIFY(pdf.startsWith("%PDF-"));
  const int n = pages(pdf);
  QVERIFY2(n >= 6, qPrintable(QString::number(n)));  // the one scenario alone fills 4 pages or more
  QVERIFY2(n <= 20, qPrintable(QString::number(n)));
  keep(path, "long.pdf");
}

void TestPdf::anUnwritablePathGivesAReasonAndLeavesNothing() {
  QTemporaryDir dir;
  const QString missing = dir.filePath("no-such-dir");
  const QString reason = ui::write_pdf(report_, missing + "/report.pdf");
  QVERIFY(!reason.isEmpty());
  QVERIFY2(reason.contains("report.pdf"), qPrintable(reason));  // says which file
  QVERIFY(!QFileInfo::exists(missing));
  QVERIFY(
      QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).isEmpty());
  QVERIFY(!ui::write_pdf(report_, QString()).isEmpty());
}

void TestPdf::replacesAnExistingFileWhole() {
  QTemporaryDir dir;
  const QString path = dir.filePath("report.pdf");
  {
    QFile old(path);
    QVERIFY(old.open(QIODevice::WriteOnly));
    old.write("an older report");
  }
  sim::FireReport one = report_;
  one.scenarios.resize(1);
  QCOMPARE(ui::write_pdf(one, path), QString());
  const QByteArray pdf = read(path);
  QVERIFY(pdf.startsWith("%PDF-"));
  QVERIFY(!pdf.contains("an older report"));
  QVERIFY(pages(pdf) >= 3);  // title page, F1, Reproduce
}

QTEST_MAIN(TestPdf)
#include "tst_pdf.moc"
