#include "ui/pdf_report.h"

#include <QAbstractTextDocumentLayout>
#include <QCoreApplication>
#include <QDir>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QScreen>
#include <QSvgRenderer>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "simulator/report_charts.h"
#include "simulator/report_format.h"
#include "simulator/report_tables.h"

namespace iris::ui {

namespace {

namespace rep = sim::reporting;

constexpr int kDpi = 300;
constexpr double kMarginMm = 15;
constexpr double kFooterPt = 18;       // kept free at the bottom of each page for the footer
constexpr double kGapPt = 8;           // between two blocks
constexpr double kChartShare = 0.7;    // of the text width for the charts; beside them, their notes
constexpr double kSideGapPt = 12;      // between the charts and their notes
constexpr double kChartGapPt = 6;      // between two stacked charts
constexpr std::size_t kMinRows = 3;    // fewer rows than this at a page's foot: the table moves on
constexpr std::size_t kWideTable = 8;  // columns from which a header stacks its words

constexpr const char* kTextColor = "#202124";
constexpr const char* kMetaColor = "#5f6368";
constexpr const char* kGoodColor = "#137333";
constexpr const char* kGoodBack = "#e6f4ea";
constexpr const char* kGoodBorder = "#34a853";
constexpr const char* kBadColor = "#c5221f";
constexpr const char* kBadBack = "#fce8e6";
constexpr const char* kBadBorder = "#ea4335";
constexpr const char* kRuleColor = "#dadce0";
constexpr const char* kHeadBack = "#f1f3f4";
constexpr const char* kGroupBack = "#fafafa";
constexpr const char* kAnomalyBack = "#fef7f6";
constexpr const char* kChartBorder = "#e8eaed";

// Model text (bytes from the engine) as HTML text: invalid UTF-8 repaired, markup escaped,
// newlines kept.
QString esc(std::string_view s) {
  QString text = QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())).toHtmlEscaped();
  text.replace(QLatin1Char('\n'), QLatin1String("<br>"));
  return text;
}

// The chart SVG as Qt SVG (SVG Tiny 1.2) draws it like a browser. It prints a <title> inside a
// <text> (a band label's tooltip) as more text: the titles go, a PDF shows no tooltip. It ignores
// dominant-baseline: text asked to sit centred on its y (axis ticks, the legend) would sit on it,
// half a line too high; it moves down by a third of its em, where a browser puts it (those texts
// use the chart's default size, 11 units).
QByteArray svg_for_qt(const std::string& svg) {
  static const QRegularExpression title(R"re(<title>[^<]*</title>)re");
  static const QRegularExpression middle(
      R"re(<text x="([^"]*)" y="([^"]*)"([^>]*?) dominant-baseline="middle")re");
  constexpr double kShift = 11 * 0.35;
  const QString text = QString::fromStdString(svg).remove(title);
  QString out;
  qsizetype at = 0;
  for (auto it = middle.globalMatch(text); it.hasNext();) {
    const auto m = it.next();
    out += text.mid(at, m.capturedStart() - at);
    out += QStringLiteral("<text x=\"%1\" y=\"%2\"%3")
               .arg(m.captured(1), QString::number(m.captured(2).toDouble() + kShift, 'f', 1),
                    m.captured(3));
    at = m.capturedEnd();
  }
  out += text.mid(at);
  return out.toUtf8();
}

// The resolution QTextDocument assumes for the lengths of tables and indents, which it scales to
// its paint device: qt_defaultDpiY(), Qt's private function, again.
double text_layout_dpi() {
  if (QCoreApplication::testAttribute(Qt::AA_Use96Dpi)) return 96;
  const QScreen* screen = QGuiApplication::primaryScreen();
  return screen ? std::round(screen->logicalDotsPerInchY()) : 100;
}

// The rich text of the report's blocks, every length given in points and converted here. Font
// sizes in points and block margins in pixels are taken in the paint device's pixels (300 per
// inch); tables' cell padding and widths, and list indents, in pixels at text_layout_dpi().
class Html {
 public:
  explicit Html(double px_per_pt) : k_(px_per_pt), table_k_(text_layout_dpi() / 72) {}

  int px(double pt) const { return qRound(pt * k_); }
  QString len(double pt) const { return QString::number(px(pt)) + QLatin1String("px"); }
  int table_px(double pt) const { return std::max(1, qRound(pt * table_k_)); }
  QString table_len(double pt) const { return QString::number(table_px(pt)) + QLatin1String("px"); }

  QString style_sheet() const {
    return QStringLiteral(
               "h1 { font-size: 17pt; font-weight: 600; margin-top: 0; margin-bottom: %1; }\n"
               "h2 { font-size: 13pt; font-weight: 600; margin-top: 0; margin-bottom: %2; }\n"
               "h3 { font-size: 10.5pt; font-weight: 600; margin-top: 0; margin-bottom: %2; }\n"
               "p { margin-top: 0; margin-bottom: %2; }\n"
               "ul, ol { margin-top: 0; margin-bottom: %2; }\n"
               "th { background-color: %3; font-size: 7.5pt; font-weight: 600; }\n"
               "td { font-size: 7.5pt; }\n"
               "th, td { padding-left: %7; padding-right: %7; padding-top: %8; "
               "padding-bottom: %8; }\n"
               "code { font-size: 7pt; }\n"
               ".meta { color: %4; }\n"
               ".good { color: %5; font-weight: 600; }\n"
               ".bad { color: %6; font-weight: 600; }\n")
        .arg(len(5), len(3), kHeadBack, kMetaColor, kGoodColor, kBadColor, table_len(3.5),
             table_len(1.5));
  }

  QString heading(int level, std::string_view title, const QString& extra = {}) const {
    return QStringLiteral("<h%1>%2%3</h%1>").arg(level).arg(esc(title), extra);
  }
  static QString para(const QString& html, const char* cls = nullptr) {
    return cls ? QStringLiteral("<p class=\"%1\">%2</p>").arg(QLatin1String(cls), html)
               : QStringLiteral("<p>%1</p>").arg(html);
  }
  static QString note(std::string_view text) { return para(esc(text), "meta"); }
  static QString code(std::string_view text) {
    return QStringLiteral("<code>%1</code>").arg(esc(text));
  }

  // A table's header and rows [from, to). Grouping columns show a value once per group, spanning
  // its rows, as the HTML report does; a group cut by a page break shows it again on the next.
  QString table(const rep::Table& t, std::size_t from, std::size_t to) const {
    QString out = QStringLiteral(
                      "<table border=\"1\" cellspacing=\"0\" style=\"border-collapse: "
                      "collapse; border-style: solid; border-color: %1;\">\n<tr>")
                      .arg(kRuleColor);
    // A wide table in smaller type, so that its columns keep their words whole.
    const bool wide = t.columns.size() >= kWideTable;
    const QString style = wide ? QStringLiteral(
                                     " style=\"font-size: 6.5pt; padding-left: %1; "
                                     "padding-right: %1;\"")
                                     .arg(table_len(2.5))
                               : QString();
    for (const auto& c : t.columns) {
      out += QStringLiteral("<th align=\"%1\" valign=\"bottom\"%2>%3</th>")
                 .arg(c.numeric ? "right" : "left", style, wide ? stacked(c.title) : esc(c.title));
    }
    out += QLatin1String("</tr>\n");
    std::vector<std::vector<std::size_t>> spans(t.columns.size());
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      if (t.columns[c].group) spans[c] = group_spans(t, c, from, to);
    }
    for (std::size_t r = from; r < to; ++r) {
      out += QLatin1String("<tr>");
      const auto& row = t.rows[r];
      for (std::size_t i = 0; i < row.size(); ++i) {
        const bool numeric = i < t.columns.size() && t.columns[i].numeric;
        const bool group = i < t.columns.size() && t.columns[i].group;
        if (group && spans[i][r - from] == 0) continue;
        out += cell(row[i], numeric, group, group ? spans[i][r - from] : 1, style);
      }
      out += QLatin1String("</tr>\n");
    }
    out += QLatin1String("</table>");
    return out;
  }

  // The verdict as a coloured box.
  QString banner(bool pass, std::string_view text) const {
    return QStringLiteral(
               "<table border=\"1\" cellspacing=\"0\" style=\"border-style: solid; "
               "border-color: %1; margin-bottom: %2;\"><tr><td bgcolor=\"%3\" style=\"color: "
               "%4; font-size: 11pt; font-weight: 600; padding: %5 %6;\">%7</td></tr></table>")
        .arg(pass ? kGoodBorder : kBadBorder, table_len(3), pass ? kGoodBack : kBadBack,
             pass ? kGoodColor : kBadColor, table_len(4), table_len(8), esc(text));
  }

  // "PASS" or "FAIL" as a coloured tag after a heading.
  static QString tag(bool pass) {
    return QStringLiteral(
               "&nbsp;&nbsp;<span style=\"color: %1; background-color: "
               "%2;\">&nbsp;%3&nbsp;</span>")
        .arg(pass ? kGoodColor : kBadColor, pass ? kGoodBack : kBadBack,
             QLatin1String(rep::verdict(pass)));
  }

  // What broke an invariant: a box with a red edge, its examples and the offending ids.
  QString anomaly(const sim::InvariantResult& i) const {
    QString body = para(esc(rep::anomaly_title(i)), "bad");
    if (!i.examples.empty()) {
      body += QLatin1String("<ul>");
      for (const auto& e : i.examples) body += QStringLiteral("<li>%1</li>").arg(esc(e));
      body += QLatin1String("</ul>");
    }
    if (!i.ids.empty()) {
      body += para(esc(rep::ids_caption(i)));
      QStringList ids;
      for (const auto& id : i.ids) ids += code(id);
      body += para(ids.join(QLatin1String("&nbsp;&nbsp; ")));
    }
    return QStringLiteral(
               "<table cellspacing=\"0\" width=\"100%\"><tr><td width=\"%1\" bgcolor=\"%2\" "
               "style=\"padding: 0;\"></td><td bgcolor=\"%3\" style=\"padding: %4 %5;\">%6</td>"
               "</tr></table>")
        .arg(QString::number(table_px(2.5)), kBadBorder, kAnomalyBack, table_len(4), table_len(8),
             body);
  }

  // Labels beside values: the facts that reproduce the run.
  QString facts(const std::vector<rep::Fact>& facts) const {
    QString out = QStringLiteral(
                      "<table border=\"1\" cellspacing=\"0\" style=\"border-collapse: "
                      "collapse; border-style: solid; border-color: %1;\">\n")
                      .arg(kRuleColor);
    for (const auto& f : facts) {
      out += QStringLiteral("<tr><th align=\"left\" valign=\"top\">%1</th>%2</tr>\n")
                 .arg(esc(f.label), cell(f.value, false, false, 1, {}));
    }
    return out + QLatin1String("</table>");
  }

 private:
  // A column title on lines no longer than its longest word ("Store rows / at end"): a wide
  // table's header then fits without breaking a word in two.
  static QString stacked(const std::string& title) {
    const QStringList words =
        QString::fromStdString(title).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    qsizetype longest = 6;
    for (const auto& w : words) longest = std::max(longest, w.size());
    QStringList lines;
    for (const auto& w : words) {
      if (!lines.isEmpty() && lines.back().size() + 1 + w.size() <= longest) {
        lines.back() += QLatin1Char(' ') + w;
      } else {
        lines += w;
      }
    }
    for (auto& line : lines) line = line.toHtmlEscaped();
    return lines.join(QLatin1String("<br>"));
  }

  static QString cell(const rep::Cell& c, bool numeric, bool group, std::size_t span,
                      const QString& style) {
    QString attrs = style;
    if (numeric) attrs += QStringLiteral(" align=\"right\" nowrap");
    if (span > 1) attrs += QStringLiteral(" rowspan=\"%1\"").arg(span);
    QString text = c.code && !c.text.empty() ? code(c.text) : esc(c.text);
    if (c.tone == rep::Tone::kGood) {
      text = QStringLiteral("<span class=\"good\">%1</span>").arg(text);
    } else if (c.tone == rep::Tone::kBad) {
      text = QStringLiteral("<span class=\"bad\">%1</span>").arg(text);
      attrs += QStringLiteral(" bgcolor=\"%1\"").arg(kBadBack);
    } else if (group) {
      text = QStringLiteral("<b>%1</b>").arg(text);
      attrs += QStringLiteral(" bgcolor=\"%1\"").arg(kGroupBack);
    }
    return QStringLiteral("<td valign=\"top\"%1>%2</td>").arg(attrs, text);
  }

  // For rows [from, to): how many rows each one's cell in column c covers (0: covered above).
  static std::vector<std::size_t> group_spans(const rep::Table& t, std::size_t c, std::size_t from,
                                              std::size_t to) {
    std::vector<std::size_t> spans(to - from, 1);
    for (std::size_t first = from; first < to;) {
      std::size_t next = first + 1;
      while (next < to && c < t.rows[next].size() && c < t.rows[first].size() &&
             t.rows[next][c].text == t.rows[first][c].text) {
        spans[next++ - from] = 0;
      }
      spans[first - from] = next - first;
      first = next;
    }
    return spans;
  }

  double k_;        // device pixels per point
  double table_k_;  // table pixels per point
};

// Blocks laid out top to bottom on pages of the text area: a block that does not fit in what is
// left of a page starts the next one; rich text taller than a page is cut between lines, a table
// between rows (its header repeated), charts scaled down. Laid out first, painted after, so that
// every footer can say how many pages there are.
class Flow {
 public:
  using Draw = std::function<void(QPainter&)>;  // paints a block with its top-left at (0, 0)

  Flow(QPaintDevice* device, QSizeF area, const Html& html, QFont font)
      : device_(device),
        width_(area.width()),
        height_(area.height()),
        html_(html),
        font_(std::move(font)),
        sheet_(html.style_sheet()) {
    pages_.emplace_back();
  }

  int pages() const { return static_cast<int>(pages_.size()); }

  void page_break() {
    if (!pages_.back().empty()) pages_.emplace_back();
    y_ = 0;
  }

  // Rich text: whole where it fits, else whole on a new page, else cut between lines.
  void text(const QString& html) {
    auto doc = document(html, width_);
    const double h = doc->size().height();
    if (h > remaining() && h <= height_) page_break();
    if (h <= remaining()) {
      place(h, [doc](QPainter& p) { doc->drawContents(&p); });
      return;
    }
    const std::vector<double> cuts = line_cuts(*doc);
    for (double from = 0; from < h;) {
      // The last cut that keeps this page's part inside the room left.
      const auto after = std::upper_bound(cuts.begin(), cuts.end(), from + remaining());
      double to = after == cuts.begin() ? from : *std::prev(after);
      if (to <= from) {
        if (!at_top()) {  // not even a line fits below what is there
          page_break();
          continue;
        }
        to = from + remaining();  // a line taller than a page: cut through it
      }
      const double width = width_;
      place(to - from, [doc, from, to, width](QPainter& p) {
        p.translate(0, -from);
        doc->drawContents(&p, QRectF(0, from, width, to - from));
      });
      from = to;
      if (from < h) page_break();
    }
  }

  // A report table after `lead` (its heading): cut between rows where it does not fit, the header
  // repeated under "<title> (continued)"; a table with fewer than kMinRows rows on this page
  // starts on the next.
  void table(const QString& lead, const rep::Table& t, std::string_view title) {
    const std::size_t n = t.rows.size();
    for (std::size_t start = 0; start < n;) {
      const QString head =
          start == 0
              ? lead
              : Html::para(QCoreApplication::translate("iris::ui::PdfReport", "%1 (continued)")
                               .arg(esc(title)),
                           "meta");
      const auto chunk = [&](std::size_t rows) {
        return document(head + html_.table(t, start, start + rows), width_);
      };
      auto all = chunk(n - start);
      if (all->size().height() <= remaining()) {
        place_document(std::move(all));
        return;
      }
      std::size_t fits = 0, too_many = n - start;  // the most rows that fit here
      while (too_many - fits > 1) {
        const std::size_t mid = fits + (too_many - fits) / 2;
        (chunk(mid)->size().height() <= remaining() ? fits : too_many) = mid;
      }
      if (fits < std::min(kMinRows, n - start) && !at_top()) {
        page_break();
        continue;
      }
      if (fits == 0) {  // one row taller than a page: cut between its lines
        text(head + html_.table(t, start, start + 1));
        ++start;
        continue;
      }
      place_document(chunk(fits));
      start += fits;
      page_break();
    }
  }

  // Charts stacked on the left at kChartShare of the width, `side` (rich text) beside them, after
  // `lead` (a heading): kept together, scaled down if taller than a page.
  void charts(const QString& lead, const std::vector<std::string>& svgs, const QString& side) {
    const double chart_width = width_ * kChartShare;
    const double gap = html_.px(kChartGapPt);
    const double side_x = chart_width + html_.px(kSideGapPt);
    std::shared_ptr<QTextDocument> lead_doc = document(lead, width_);
    std::shared_ptr<QTextDocument> side_doc =
        side.isEmpty() ? nullptr : document(side, width_ - side_x);
    std::vector<std::pair<std::shared_ptr<QSvgRenderer>, double>> charts;  // with their heights
    double charts_height = 0;
    for (const auto& svg : svgs) {
      auto renderer = std::make_shared<QSvgRenderer>(svg_for_qt(svg));
      const QSizeF box = renderer->viewBoxF().size();
      const double h = box.width() > 0 ? chart_width * box.height() / box.width() : 0;
      if (!charts.empty()) charts_height += gap;
      charts.emplace_back(std::move(renderer), h);
      charts_height += h;
    }
    const double lead_height = lead_doc->size().height();
    const double side_height = side_doc ? side_doc->size().height() : 0;
    const double h = lead_height + std::max(charts_height, side_height);
    if (h > remaining()) page_break();
    const double scale = h > height_ ? height_ / h : 1.0;
    const double border = html_.px(0.6);
    place(h * scale, [=](QPainter& p) {
      p.scale(scale, scale);
      lead_doc->drawContents(&p);
      p.translate(0, lead_height);
      double y = 0;
      for (const auto& [renderer, height] : charts) {
        const QRectF box(0, y, chart_width, height);
        if (renderer->isValid()) renderer->render(&p, box);
        p.setPen(QPen(QColor(kChartBorder), border));
        p.setBrush(Qt::NoBrush);
        p.drawRect(box);
        y += height + gap;
      }
      if (side_doc) {
        p.translate(side_x, 0);
        side_doc->drawContents(&p);
      }
    });
  }

  // Paints the pages laid out, `footer` on each; false if the writer could not start a page.
  bool paint(QPainter& p, QPdfWriter& writer,
             const std::function<void(QPainter&, int page, int pages)>& footer) const {
    for (std::size_t i = 0; i < pages_.size(); ++i) {
      if (i > 0 && !writer.newPage()) return false;
      for (const auto& block : pages_[i]) {
        p.save();
        p.translate(0, block.y);
        block.draw(p);
        p.restore();
      }
      footer(p, static_cast<int>(i) + 1, pages());
    }
    return true;
  }

 private:
  struct Block {
    double y;
    Draw draw;
  };

  double remaining() const { return height_ - y_; }
  bool at_top() const { return pages_.back().empty(); }

  void place(double height, Draw draw) {
    pages_.back().push_back({y_, std::move(draw)});
    y_ += height + html_.px(kGapPt);
  }

  void place_document(std::shared_ptr<QTextDocument> doc) {
    const double h = doc->size().height();
    place(h, [doc = std::move(doc)](QPainter& p) { doc->drawContents(&p); });
  }

  // Rich text `width` wide. Lines break between words; only where a word is wider than its place
  // (a long id in a narrow column) anywhere, so that nothing runs past the margin.
  std::shared_ptr<QTextDocument> document(const QString& html, double width) const {
    auto doc = std::make_shared<QTextDocument>();
    doc->documentLayout()->setPaintDevice(device_);
    doc->setDocumentMargin(0);
    doc->setDefaultFont(font_);
    doc->setIndentWidth(html_.table_px(14));
    doc->setDefaultStyleSheet(sheet_);
    QTextOption option = doc->defaultTextOption();
    option.setWrapMode(QTextOption::WordWrap);
    doc->setDefaultTextOption(option);
    doc->setTextWidth(width);
    doc->setHtml(QStringLiteral("<body style=\"color: %1;\">%2</body>").arg(kTextColor, html));
    if (doc->size().width() > width + 1) {
      option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
      doc->setDefaultTextOption(option);
    }
    return doc;
  }

  // Where the document can be cut without cutting a line: below each line that no other line
  // (in a table cell beside it) straddles; and at its end.
  static std::vector<double> line_cuts(QTextDocument& doc) {
    std::vector<std::pair<double, double>> lines;
    auto* layout = doc.documentLayout();
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
      const QTextLayout* l = b.layout();
      if (!l) continue;
      const double top = layout->blockBoundingRect(b).top() - l->boundingRect().top();
      for (int i = 0; i < l->lineCount(); ++i) {
        const QTextLine line = l->lineAt(i);
        lines.emplace_back(top + line.y(), top + line.y() + line.height());
      }
    }
    std::vector<double> cuts;
    for (const auto& [top, bottom] : lines) {
      const double at = bottom;
      const bool straddled = std::any_of(lines.begin(), lines.end(), [at](const auto& o) {
        return o.first < at - 0.5 && o.second > at + 0.5;
      });
      if (!straddled) cuts.push_back(at);
    }
    cuts.push_back(doc.size().height());
    std::sort(cuts.begin(), cuts.end());
    return cuts;
  }

  QPaintDevice* device_;
  double width_, height_;
  const Html& html_;
  QFont font_;
  QString sheet_;
  std::vector<std::vector<Block>> pages_;
  double y_ = 0;
};

// For the reasons write_pdf() returns, marked with QT_TRANSLATE_NOOP in this context.
QString tr_reason(const char* text) {
  return QCoreApplication::translate("iris::ui::PdfReport", text);
}

void title_block(Flow& flow, const Html& h, const sim::FireReport& r) {
  const QString run =
      QCoreApplication::translate("iris::ui::PdfReport", "%1 · %2 · seed %3 · started %4 · Iris %5")
          .arg(esc(r.target), esc(r.scale), QString::number(r.seed), esc(r.started_utc),
               esc(r.engine_version));
  flow.text(h.heading(1, r.title) + h.banner(r.pass(), rep::overall_verdict(r)) +
            Html::para(run, "meta"));
}

void table_section(Flow& flow, const QString& lead, const rep::Table& t, std::string_view title,
                   std::string_view empty) {
  if (t.rows.empty()) {
    flow.text(lead + Html::note(empty));
  } else {
    flow.table(lead, t, title);
  }
}

void timeline(Flow& flow, const Html& h, const sim::ScenarioResult& s) {
  QString side;
  if (const auto groups = rep::window_groups(s); !groups.empty()) {
    side += Html::para(QCoreApplication::translate(
        "iris::ui::PdfReport", "Fault windows, shaded and numbered on the charts:"));
    side += QLatin1String("<ol>");
    for (const auto& g : groups) side += QStringLiteral("<li>%1</li>").arg(esc(rep::group_text(g)));
    side += QLatin1String("</ol>");
  }
  if (s.timeline.empty()) side += Html::note(rep::timeline_note(s));
  flow.charts(h.heading(3, rep::kTimelineSection), {sim::throughput_svg(s), sim::latency_svg(s)},
              side);
}

void spectrum(Flow& flow, const Html& h, const sim::ScenarioResult& s) {
  const rep::Table t = rep::spectrum_table(s);
  flow.charts(h.heading(3, rep::kSpectrumSection), {sim::spectrum_svg(s)},
              t.rows.empty() ? Html::note(rep::kNoSpectrum) : h.table(t, 0, t.rows.size()));
}

void anomalies(Flow& flow, const Html& h, const sim::ScenarioResult& s) {
  std::vector<QString> parts;
  const auto bad = rep::violated(s);
  if (s.invariants.empty()) parts.push_back(Html::note(rep::kNoInvariants));
  if (!s.invariants.empty() && bad.empty()) {
    parts.push_back(Html::para(esc(rep::kNoAnomaly), "good"));
  }
  for (const sim::InvariantResult* i : bad) parts.push_back(h.anomaly(*i));
  if (const std::string held = rep::held_text(s); !held.empty()) {
    parts.push_back(Html::note(held));
  }
  QString lead = h.heading(3, rep::kAnomaliesSection);
  for (const QString& part : parts) {
    flow.text(lead + part);  // the heading stays with the first part
    lead.clear();
  }
}

void scenario(Flow& flow, const Html& h, const sim::ScenarioResult& s) {
  QString intro = h.heading(2, rep::scenario_title(s), Html::tag(s.pass));
  if (!s.pass && !s.reason.empty()) intro += Html::para(esc(s.reason), "bad");
  if (!s.description.empty()) intro += Html::para(esc(s.description));
  intro += Html::note(rep::run_line(s));
  if (!s.replay.empty()) {
    intro += Html::para(
        QCoreApplication::translate("iris::ui::PdfReport", "Replay: %1").arg(Html::code(s.replay)),
        "meta");
  }
  flow.text(intro);
  table_section(flow, h.heading(3, rep::kFiguresSection), rep::figures_table(s),
                rep::kFiguresSection, rep::kNoFigures);
  timeline(flow, h, s);
  spectrum(flow, h, s);
  table_section(flow, h.heading(3, rep::kResourcesSection), rep::nodes_table(s),
                rep::kResourcesSection, rep::kNoNodes);
  anomalies(flow, h, s);
  table_section(flow, h.heading(3, rep::kFaultLogSection), rep::fault_log_table(s),
                rep::kFaultLogSection, rep::kNoFaults);
}

void reproduce(Flow& flow, const Html& h, const sim::FireReport& r) {
  flow.text(h.heading(2, rep::kReproduceSection) + h.facts(rep::reproduce_facts(r)));
  const rep::Table replay = rep::replay_table(r);
  if (!replay.rows.empty()) flow.table({}, replay, rep::kReproduceSection);
  flow.text(
      QStringLiteral("<p style=\"color: %1;\"><i>%2</i></p>")
          .arg(kMetaColor, QCoreApplication::translate(
                               "iris::ui::PdfReport",
                               "Generated by Iris %1: every figure above was measured in this run; "
                               "each scenario replays from its seed.")
                               .arg(esc(r.engine_version))));
}

void footer(QPainter& p, const QRectF& area, const QFont& base, const QString& left, int page,
            int pages, double px_per_pt) {
  QFont font = base;
  font.setPointSizeF(7);
  p.save();
  p.setFont(font);
  p.setPen(QPen(QColor(kRuleColor), 0.5 * px_per_pt));
  p.drawLine(QPointF(area.left(), area.top()), QPointF(area.right(), area.top()));
  p.setPen(QColor(kMetaColor));
  const QRectF text = area.adjusted(0, 3 * px_per_pt, 0, 0);
  const QString right =
      QCoreApplication::translate("iris::ui::PdfReport", "Page %1 of %2").arg(page).arg(pages);
  p.drawText(text, Qt::AlignRight | Qt::AlignTop, right);
  const double room = text.width() - p.fontMetrics().horizontalAdvance(right) - 12 * px_per_pt;
  p.drawText(text, Qt::AlignLeft | Qt::AlignTop,
             p.fontMetrics().elidedText(left, Qt::ElideRight, qRound(room)));
  p.restore();
}

// Lays out and paints the whole report on `writer`; "" or what went wrong.
QString paint_report(QPdfWriter& writer, const sim::FireReport& report) {
  const double px_per_pt = writer.resolution() / 72.0;
  const QRect page = writer.pageLayout().paintRectPixels(writer.resolution());
  const double footer_height = kFooterPt * px_per_pt;
  const QSizeF area(page.width(), page.height() - footer_height);
  QFont font = QFontDatabase::systemFont(QFontDatabase::GeneralFont);
  font.setPointSizeF(8.5);

  const Html html(px_per_pt);
  Flow flow(&writer, area, html, font);
  title_block(flow, html, report);
  table_section(flow, html.heading(2, rep::kVerdictSection), rep::verdict_table(report),
                rep::kVerdictSection, rep::kNoScenarios);
  table_section(flow, html.heading(2, rep::kHeadlineSection), rep::headline_table(report),
                rep::kHeadlineSection, rep::kNoHeadline);
  for (const auto& s : report.scenarios) {
    flow.page_break();
    scenario(flow, html, s);
  }
  flow.page_break();
  reproduce(flow, html, report);

  QPainter painter;
  if (!painter.begin(&writer))
    return tr_reason(QT_TRANSLATE_NOOP("iris::ui::PdfReport", "the PDF writer could not start"));
  painter.setRenderHint(QPainter::Antialiasing);
  const QRectF footer_area(0, area.height() + 6 * px_per_pt, area.width(),
                           footer_height - 6 * px_per_pt);
  const QString left =
      QCoreApplication::translate("iris::ui::PdfReport", "%1 · started %2")
          .arg(QString::fromStdString(report.title), QString::fromStdString(report.started_utc));
  const bool painted = flow.paint(painter, writer, [&](QPainter& p, int n, int pages) {
    footer(p, footer_area, font, left, n, pages, px_per_pt);
  });
  if (!painter.end() || !painted)
    return tr_reason(QT_TRANSLATE_NOOP("iris::ui::PdfReport", "the PDF writer failed"));
  return {};
}

}  // namespace

QString write_pdf(const sim::FireReport& report, const QString& path) {
  if (path.isEmpty())
    return tr_reason(QT_TRANSLATE_NOOP("iris::ui::PdfReport", "no file name given"));
  QSaveFile file(path);  // a temporary file beside `path`, renamed over it by commit()
  if (!file.open(QIODevice::WriteOnly)) {
    return QCoreApplication::translate("iris::ui::PdfReport", "cannot write %1: %2")
        .arg(QDir::toNativeSeparators(path), file.errorString());
  }
  QString error;
  {
    QPdfWriter writer(&file);
    writer.setResolution(kDpi);
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait,
                                     QMarginsF(kMarginMm, kMarginMm, kMarginMm, kMarginMm),
                                     QPageLayout::Millimeter));
    writer.setTitle(QString::fromStdString(report.title));
    writer.setCreator(QStringLiteral("Iris %1").arg(QString::fromStdString(report.engine_version)));
    error = paint_report(writer, report);
  }
  if (error.isEmpty() && !file.commit()) {
    error = QCoreApplication::translate("iris::ui::PdfReport", "cannot write %1: %2")
                .arg(QDir::toNativeSeparators(path), file.errorString());
  }
  if (!error.isEmpty()) file.cancelWriting();  // the temporary file goes; `path` is untouched
  return error;
}

}  // namespace iris::ui
