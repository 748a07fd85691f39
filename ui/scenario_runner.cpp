#include "ui/scenario_runner.h"

#include <QDateTime>
#include <QElapsedTimer>

namespace iris::ui {

ScenarioRunner::ScenarioRunner(QObject* parent) : QObject(parent) {
  qRegisterMetaType<ResultPtr>();
  qRegisterMetaType<ReportPtr>();
  qRegisterMetaType<SnapshotPtr>();
  // Emitted on the worker thread, received here on this object's thread.
  connect(this, &ScenarioRunner::finished, this, [this](ReportPtr r) { last_report_ = r; });
}

ScenarioRunner::~ScenarioRunner() {
  cancel();
  if (thread_ != nullptr) thread_->wait();
}

bool ScenarioRunner::start(const RunRequest& request) {
  if (running_.exchange(true)) return false;
  if (thread_ != nullptr) {
    thread_->wait();
    delete thread_;
  }
  cancel_ = false;
  thread_ = QThread::create([this, request] { run(request); });
  thread_->setObjectName("iris-fire");
  thread_->start();
  return true;
}

void ScenarioRunner::cancel() {
  cancel_ = true;
}

void ScenarioRunner::run(RunRequest request) {
  auto report = std::make_shared<sim::FireReport>();
  report->engine_version = IRIS_VERSION;
  report->started_utc = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
  report->machine = sim::this_machine();
  report->scale = sim::to_string(request.scale);
  report->seed = request.seed;
  report->command = "iris-console scenario runner";
  const int total = static_cast<int>(request.ids.size());
  for (int i = 0; i < total && !cancel_; ++i) {
    const std::string id = request.ids[i].toStdString();
    emit scenarioStarted(i, total, request.ids[i]);
    sim::ScenarioOptions o;
    o.scale = request.scale;
    o.pace = request.pace;
    o.cancel = &cancel_;
    o.progress = [this, i, total](double f) { emit progress(i, total, f); };
    QElapsedTimer since_snapshot;  // invalid until the first snapshot: that one always goes
    std::uint64_t t0 = 0;
    o.observe = [&, this](sim::FireTarget& target) {
      if (t0 == 0) t0 = target.now_us();
      // About 10 Hz, however fast it runs.
      if (since_snapshot.isValid() && since_snapshot.elapsed() < 100) return;
      since_snapshot.start();
      auto s = std::make_shared<LiveSnapshot>();
      s->cluster = target.snapshot();
      s->time_s = static_cast<double>(target.now_us() - t0) / 1e6;
      s->seed = request.seed;
      s->speed = request.pace > 0 ? Speed::kRealTime : Speed::kFastest;
      s->name = tr("scenario %1, seed %2").arg(QString::fromStdString(id)).arg(request.seed);
      emit snapshotReady(std::move(s));
    };
    auto result = std::make_shared<sim::ScenarioResult>(sim::run_scenario(id, request.seed, o));
    report->scenarios.push_back(*result);
    emit scenarioFinished(i, std::move(result));
  }
  running_ = false;
  emit finished(std::move(report));
}

}  // namespace iris::ui
