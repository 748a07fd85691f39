// The console's fire-test runner: scenarios run on a worker thread with progress and verdicts as
// they come, the run's cluster is published like a live source, cancel stops it, and the report
// exports in every format.

#include <spdlog/spdlog.h>

#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "ui/runner_panel.h"

using namespace iris::ui;

class TestRunner : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { spdlog::set_level(spdlog::level::err); }
  void runFromThePanelShowsVerdictsAndExports();
  void cancelStopsTheRunAndSaysSo();
};

void TestRunner::runFromThePanelShowsVerdictsAndExports() {
  ScenarioRunner runner;
  RunnerPanel panel(&runner);
  QSignalSpy finished(&panel, &RunnerPanel::runFinished);
  QSignalSpy snapshots(&runner, &ScenarioRunner::snapshotReady);
  QCOMPARE(panel.exportReport("/tmp/never.html").isEmpty(), false);  // nothing to export yet
  panel.selectOnly({"F1", "R1"});
  QTest::mouseClick(panel.runButton(), Qt::LeftButton);
  QVERIFY(!panel.runButton()->isEnabled());
  QVERIFY(panel.cancelButton()->isEnabled());
  QVERIFY(finished.wait(60000));
  QCOMPARE(panel.results()->rowCount(), 2);
  QCOMPARE(panel.results()->item(0, 0)->text(), QString("F1"));
  QCOMPARE(panel.results()->item(1, 0)->text(), QString("R1"));
  QCOMPARE(panel.results()->item(0, 2)->text(), QString("PASS"));
  QCOMPARE(panel.results()->item(1, 2)->text(), QString("PASS"));
  QCOMPARE(panel.progressBar()->value(), 1000);
  QVERIFY(panel.runButton()->isEnabled());
  QVERIFY(snapshots.count() >= 1);  // the runs' clusters were published to watch
  QTemporaryDir dir;
  for (const char* ext : {"html", "md", "json", "xml"}) {
    const QString path = dir.filePath(QString("report.") + ext);
    QCOMPARE(panel.exportReport(path), QString());
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    QVERIFY2(text.contains("Split brain"), ext);
  }
  const QString pdf = dir.filePath("report.pdf");
  QCOMPARE(panel.exportReport(pdf), QString());
  QFile p(pdf);
  QVERIFY(p.open(QIODevice::ReadOnly));
  QVERIFY(p.read(5) == "%PDF-");
  QVERIFY(!panel.exportReport(dir.filePath("report.pdfx")).isEmpty());  // unknown format
}

void TestRunner::cancelStopsTheRunAndSaysSo() {
  ScenarioRunner runner;
  QSignalSpy done(&runner, &ScenarioRunner::finished);
  QSignalSpy results(&runner, &ScenarioRunner::scenarioFinished);
  RunRequest r;
  r.ids = {"R1", "R5", "C3"};
  r.pace = 4;  // R1 is 13 s of cluster time: about 3 s here
  QVERIFY(runner.start(r));
  QVERIFY(!runner.start(r));  // one run at a time
  QTest::qWait(400);
  runner.cancel();
  QVERIFY(done.wait(10000));
  QCOMPARE(results.count(), 1);  // the others never started
  const auto result = results.at(0).at(1).value<ResultPtr>();
  QVERIFY(!result->pass);
  QCOMPARE(QString::fromStdString(result->reason), QString("cancelled"));
  const auto report = done.at(0).at(0).value<ReportPtr>();
  QCOMPARE(report->scenarios.size(), std::size_t{1});
  QVERIFY(!runner.running());
}

QTEST_MAIN(TestRunner)
#include "tst_runner.moc"
