#pragma once
// The fire-test runner panel: choose scenarios, scale, seed and how fast to watch; run with a
// progress bar and each verdict as it comes; cancel; export the report (HTML, Markdown, JSON,
// JUnit XML, PDF with the charts).

#include <QWidget>

#include "ui/scenario_runner.h"

class QComboBox;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QToolButton;

namespace iris::ui {

class RunnerPanel final : public QWidget {
  Q_OBJECT
 public:
  explicit RunnerPanel(ScenarioRunner* runner, QWidget* parent = nullptr);

  // For tests: check exactly these scenarios, and what the panel shows.
  void selectOnly(const QStringList& ids);
  QPushButton* runButton() const { return run_; }
  QPushButton* cancelButton() const { return cancel_; }
  QTableWidget* results() const { return results_; }
  QProgressBar* progressBar() const { return progress_; }
  // Writes the last report to `path` (format by extension); "" or the reason it could not.
  QString exportReport(const QString& path) const;

 signals:
  void runStarted();
  void runFinished();

 private:
  void start();
  void onStarted(int index, int total, const QString& id);
  void onProgress(int index, int total, double fraction);
  void onFinished(int index, const ResultPtr& result);
  void onAllFinished(const ReportPtr& report);
  void exportAs(const QString& filter, const QString& suffix);

  ScenarioRunner* runner_;
  QListWidget* list_ = nullptr;
  QComboBox* scale_ = nullptr;
  QComboBox* pace_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QPushButton* run_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QToolButton* export_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QTableWidget* results_ = nullptr;
};

}  // namespace iris::ui
