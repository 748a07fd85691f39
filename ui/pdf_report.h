#pragma once
// The fire-test report as a PDF (the console's "Export as PDF"): A4 portrait, the same sections in
// the same order as the HTML report (simulator/report.h), its tables from the same rows
// (simulator/report_tables.h) and its charts from the same SVG (simulator/report_charts.h), laid
// out block after block with page breaks where a block would not fit, page numbers in the footer.

#include <QString>

#include "simulator/report.h"

namespace iris::ui {

// Writes `report` to `path` as a PDF. Returns "" or why it could not; the file appears only when
// complete (written next to `path` under a temporary name, then renamed), so a failure leaves
// nothing behind and never a half-written file.
QString write_pdf(const sim::FireReport& report, const QString& path);

}  // namespace iris::ui
