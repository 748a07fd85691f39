#pragma once
// ScenarioRunner: runs fire-test scenarios on a worker thread, one after another, paced so the
// console can show each run unfold (its cluster's snapshots come out like a ClusterSource's), and
// reports progress, each verdict as it comes and the whole FireReport at the end. cancel() stops
// the scenario in progress (its verdict: FAIL, "cancelled") and the ones after it.

#include <QObject>
#include <QStringList>
#include <QThread>
#include <atomic>
#include <memory>

#include "simulator/report.h"
#include "simulator/scenario.h"
#include "ui/cluster_source.h"

Q_DECLARE_METATYPE(std::shared_ptr<const iris::sim::ScenarioResult>)
Q_DECLARE_METATYPE(std::shared_ptr<const iris::sim::FireReport>)

namespace iris::ui {

using ResultPtr = std::shared_ptr<const sim::ScenarioResult>;
using ReportPtr = std::shared_ptr<const sim::FireReport>;

struct RunRequest {
  QStringList ids;
  sim::Scale scale = sim::Scale::kSmoke;
  std::uint64_t seed = 1;
  double pace = 0;  // 0: as fast as possible; else target time at most pace x real time
};

class ScenarioRunner final : public QObject {
  Q_OBJECT
 public:
  explicit ScenarioRunner(QObject* parent = nullptr);
  ~ScenarioRunner() override;

  bool running() const { return running_; }
  // Starts a run; false if one is running.
  bool start(const RunRequest& request);
  void cancel();
  ReportPtr lastReport() const { return last_report_; }

 signals:
  void scenarioStarted(int index, int total, const QString& id);
  void progress(int index, int total, double fraction);  // fraction of this scenario
  void scenarioFinished(int index, iris::ui::ResultPtr result);
  void snapshotReady(iris::ui::SnapshotPtr snapshot);  // the running scenario's cluster
  void finished(iris::ui::ReportPtr report);

 private:
  void run(RunRequest request);  // on the worker thread

  QThread* thread_ = nullptr;
  std::atomic<bool> cancel_{false};
  std::atomic<bool> running_{false};
  ReportPtr last_report_;
};

}  // namespace iris::ui
