#include "ui/runner_panel.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/pdf_report.h"

namespace iris::ui {

namespace {
constexpr int kIdRole = Qt::UserRole;
}

RunnerPanel::RunnerPanel(ScenarioRunner* runner, QWidget* parent)
    : QWidget(parent), runner_(runner) {
  list_ = new QListWidget(this);
  list_->setObjectName("scenarioList");
  for (const auto& s : sim::catalog()) {
    auto* item = new QListWidgetItem(
        QString::fromStdString(s.id + "  " + s.name), list_);
    item->setData(kIdRole, QString::fromStdString(s.id));
    item->setToolTip(QString::fromStdString(s.description));
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(s.in_suite ? Qt::Checked : Qt::Unchecked);
  }
  scale_ = new QComboBox(this);
  scale_->addItem(tr("Smoke (seconds)"), static_cast<int>(sim::Scale::kSmoke));
  scale_->addItem(tr("Standard (minutes)"), static_cast<int>(sim::Scale::kStandard));
  scale_->addItem(tr("Full (as large as fits)"), static_cast<int>(sim::Scale::kFull));
  pace_ = new QComboBox(this);
  pace_->addItem(tr("Watch: ×4 real time"), 4.0);
  pace_->addItem(tr("Watch: ×20 real time"), 20.0);
  pace_->addItem(tr("As fast as possible"), 0.0);
  pace_->setCurrentIndex(2);
  seed_ = new QSpinBox(this);
  seed_->setRange(1, 2'000'000'000);
  seed_->setValue(1);
  run_ = new QPushButton(tr("Run"), this);
  run_->setObjectName("runScenarios");
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setObjectName("cancelScenarios");
  cancel_->setEnabled(false);
  export_ = new QToolButton(this);
  export_->setText(tr("Export report"));
  export_->setPopupMode(QToolButton::InstantPopup);
  export_->setEnabled(false);
  auto* menu = new QMenu(export_);
  menu->addAction(tr("HTML…"), this, [this] { exportAs(tr("HTML (*.html)"), "html"); });
  menu->addAction(tr("Markdown…"), this, [this] { exportAs(tr("Markdown (*.md)"), "md"); });
  menu->addAction(tr("JSON…"), this, [this] { exportAs(tr("JSON (*.json)"), "json"); });
  menu->addAction(tr("JUnit XML…"), this, [this] { exportAs(tr("JUnit XML (*.xml)"), "xml"); });
  menu->addAction(tr("PDF…"), this, [this] { exportAs(tr("PDF (*.pdf)"), "pdf"); });
  export_->setMenu(menu);
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1000);
  progress_->setValue(0);
  results_ = new QTableWidget(0, 4, this);
  results_->setObjectName("scenarioResults");
  results_->setHorizontalHeaderLabels({tr("ID"), tr("Scenario"), tr("Verdict"), tr("Reason")});
  results_->horizontalHeader()->setStretchLastSection(true);
  results_->verticalHeader()->hide();
  results_->setEditTriggers(QAbstractItemView::NoEditTriggers);

  auto* form = new QFormLayout;
  form->addRow(tr("Scale"), scale_);
  form->addRow(tr("Seed"), seed_);
  form->addRow(tr("Speed"), pace_);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(run_);
  buttons->addWidget(cancel_);
  buttons->addStretch();
  buttons->addWidget(export_);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(list_, 2);
  layout->addLayout(form);
  layout->addLayout(buttons);
  layout->addWidget(progress_);
  layout->addWidget(results_, 3);

  connect(run_, &QPushButton::clicked, this, &RunnerPanel::start);
  connect(cancel_, &QPushButton::clicked, runner_, &ScenarioRunner::cancel);
  connect(runner_, &ScenarioRunner::scenarioStarted, this, &RunnerPanel::onStarted);
  connect(runner_, &ScenarioRunner::progress, this, &RunnerPanel::onProgress);
  connect(runner_, &ScenarioRunner::scenarioFinished, this, &RunnerPanel::onFinished);
  connect(runner_, &ScenarioRunner::finished, this, &RunnerPanel::onAllFinished);
}

void RunnerPanel::selectOnly(const QStringList& ids) {
  for (int i = 0; i < list_->count(); ++i) {
    auto* item = list_->item(i);
    item->setCheckState(ids.contains(item->data(kIdRole).toString()) ? Qt::Checked
                                                                     : Qt::Unchecked);
  }
}

void RunnerPanel::start() {
  RunRequest r;
  for (int i = 0; i < list_->count(); ++i) {
    if (list_->item(i)->checkState() == Qt::Checked) r.ids << list_->item(i)->data(kIdRole).toString();
  }
  if (r.ids.isEmpty()) return;
  r.scale = static_cast<sim::Scale>(scale_->currentData().toInt());
  r.seed = static_cast<std::uint64_t>(seed_->value());
  r.pace = pace_->currentData().toDouble();
  results_->setRowCount(0);
  progress_->setValue(0);
  if (!runner_->start(r)) return;
  run_->setEnabled(false);
  cancel_->setEnabled(true);
  export_->setEnabled(false);
  emit runStarted();
}

void RunnerPanel::onStarted(int index, int total, const QString& id) {
  progress_->setFormat(tr("%1 (%2 of %3) %p%").arg(id).arg(index + 1).arg(total));
}

void RunnerPanel::onProgress(int index, int total, double fraction) {
  progress_->setValue(static_cast<int>(1000 * (index + fraction) / std::max(1, total)));
}

void RunnerPanel::onFinished(int, const ResultPtr& r) {
  const int row = results_->rowCount();
  results_->insertRow(row);
  auto cell = [&](int col, const QString& text) {
    auto* item = new QTableWidgetItem(text);
    results_->setItem(row, col, item);
    return item;
  };
  cell(0, QString::fromStdString(r->id));
  cell(1, QString::fromStdString(r->name));
  auto* verdict = cell(2, r->pass ? tr("PASS") : tr("FAIL"));
  verdict->setForeground(r->pass ? QColor(0x27, 0xae, 0x60) : QColor(0xc0, 0x39, 0x2b));
  QFont bold = verdict->font();
  bold.setBold(true);
  verdict->setFont(bold);
  auto* reason = cell(3, QString::fromStdString(r->reason));
  reason->setToolTip(QString::fromStdString(r->replay));
  results_->scrollToBottom();
}

void RunnerPanel::onAllFinished(const ReportPtr& report) {
  run_->setEnabled(true);
  cancel_->setEnabled(false);
  export_->setEnabled(report && !report->scenarios.empty());
  progress_->setValue(1000);
  std::size_t passed = 0;
  for (const auto& s : report->scenarios) passed += s.pass ? 1 : 0;
  progress_->setFormat(tr("%1 of %2 passed").arg(passed).arg(report->scenarios.size()));
  emit runFinished();
}

QString RunnerPanel::exportReport(const QString& path) const {
  const ReportPtr report = runner_->lastReport();
  if (!report) return tr("no report yet: run some scenarios first");
  if (path.endsWith(".pdf", Qt::CaseInsensitive)) return write_pdf(*report, path);
  return QString::fromStdString(sim::write_report(*report, path.toStdString()));
}

void RunnerPanel::exportAs(const QString& filter, const QString& suffix) {
  const QString path = QFileDialog::getSaveFileName(this, tr("Export the fire-test report"),
                                                    "fire-report." + suffix, filter);
  if (path.isEmpty()) return;
  const QString error = exportReport(path);
  if (!error.isEmpty()) QMessageBox::warning(this, tr("Export failed"), error);
}

}  // namespace iris::ui
