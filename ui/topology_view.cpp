#include "ui/topology_view.h"

#include <QActionGroup>
#include <QContextMenuEvent>
#include <QCoreApplication>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QHelpEvent>
#include <QLocale>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QStyleOptionGraphicsItem>
#include <QToolTip>
#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <numbers>

namespace iris::ui {

namespace {

// Scene geometry, in scene units: the view scales the whole scene to fit, so these only fix
// proportions. A node is a box (header, two lines of figures, fault badges, shard bars) with a
// heat strip of up to kStripRows hot recipients under it.
constexpr double kNodeW = 220, kNodeH = 190, kRadius = 10;
constexpr double kHeaderH = 28;
constexpr double kBadgeTop = 72, kBadgeH = 17, kBadgeGap = 4;
constexpr int kBadgeRows = 2;
constexpr double kShardTop = 114, kBarMaxH = 40;
constexpr double kStripGap = 6, kStripRowH = 18;
constexpr int kStripRows = 3;
constexpr double kStripH = kStripGap + kStripRows * kStripRowH;
constexpr double kNodeGap = 80;      // between two node footprints: room for a cut marker
constexpr double kRingAspect = 1.3;  // the ring is wider than high: views are landscape
constexpr double kLegendW = 240, kLegendH = 360, kLegendGap = 40, kStatusLineH = 18;
constexpr double kLegendWider = 60;  // a large cluster's legend: room for longer figures
constexpr double kSceneMargin = 20;
constexpr double kMaxScale = 2.0;  // a small cluster in a big window: no giant boxes
// Bars and heat cells use a log scale: inboxes range from 0 to tens of thousands.
constexpr double kBarMinReference = 100, kHeatReference = 1000;
// Drawn smaller than this (view scale), a node is a box in its health's colour with its id, in
// kCompactLabelPx device pixels; in a large cluster the id may overhang the box by
// kCompactOverhang on each side.
constexpr double kCompactLod = 0.3;
constexpr int kCompactLabelPx = 8;
constexpr double kCompactOverhang = 110;
// A large cluster (more than TopologyView::kAllLinksMaxNodes nodes) is drawn small: the links it
// draws are at least kMinLinkPx wide on screen (down ones, the many, kMinDownLinkPx), cut markers
// keep kCutScreenScale of their size in pixels, and the legend grows with the ring (its height
// 1/kLegendPerRing of the ring's).
constexpr double kMinLinkPx = 1.5, kMinDownLinkPx = 1;
constexpr double kCutScreenScale = 0.8;
constexpr double kLegendPerRing = 2.2;
// More cut links than this in a large cluster: no marker each (they would cover the ring), the cut
// links are drawn in the colour of a cut.
constexpr int kMaxCutMarkers = 24;

enum ItemKind { kNoKind = 0, kNodeKind, kLinkKind, kCutKind, kLegendKind };
constexpr int kKindKey = 0, kAKey = 1, kBKey = 2;  // QGraphicsItem::data keys

// Semantic colours are the same in light and dark palettes; text and backgrounds follow the
// palette.
QColor healthyColor() {
  return {0x3a, 0xa7, 0x57};
}
QColor degradedColor() {
  return {0xe0, 0x9b, 0x1a};
}
QColor deadColor() {
  return {0xb0, 0x3a, 0x2e};
}
QColor downLinkColor() {
  return {0x8c, 0x8c, 0x8c};
}
QColor cutColor() {
  return {0xd6, 0x27, 0x28};
}
QColor barColor() {
  return {0x3b, 0x7d, 0xd8};
}
QColor darkText() {
  return {0x20, 0x20, 0x20};
}

QColor mix(const QColor& a, const QColor& b, double t) {
  return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * t),
                          static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * t),
                          static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * t));
}

// 0..1 over pale yellow, orange, red (a sequential scale that reads in both palettes).
QColor heatColor(double t) {
  t = std::clamp(t, 0.0, 1.0);
  const QColor low(0xfe, 0xe3, 0x91), mid(0xfe, 0x99, 0x29), high(0xc8, 0x1e, 0x1e);
  return t < 0.5 ? mix(low, mid, t * 2) : mix(mid, high, (t - 0.5) * 2);
}

double logScale(double value, double reference) {
  return std::log1p(std::max(0.0, value)) / std::log1p(std::max(1.0, reference));
}

QFont sceneFont(const QGraphicsScene* scene, int pixels, bool bold = false) {
  QFont f = scene ? scene->font() : QFont();
  f.setPixelSize(pixels);
  f.setBold(bold);
  return f;
}

void drawElided(QPainter* p, const QRectF& r, int flags, const QString& text) {
  p->drawText(r, flags,
              p->fontMetrics().elidedText(text, Qt::ElideRight, static_cast<int>(r.width())));
}

// A label on a rounded plate, centred on `at`, readable over links.
void drawPlate(QPainter* p, QPointF at, const QString& text, const QColor& fg, const QColor& bg,
               const QColor& border) {
  const QRectF t = p->fontMetrics().boundingRect(text);
  const QRectF r(at.x() - t.width() / 2 - 5, at.y() - t.height() / 2 - 2, t.width() + 10,
                 t.height() + 4);
  p->setPen(QPen(border, 1));
  p->setBrush(bg);
  p->drawRoundedRect(r, 4, 4);
  p->setPen(fg);
  p->drawText(r, Qt::AlignCenter, text);
}

enum class NodeHealth { kHealthy, kDegraded, kDead };

NodeHealth healthOf(const sim::NodeSnapshot& n) {
  if (!n.alive) return NodeHealth::kDead;
  const bool fault = n.clog_us || n.cpu_burn_us || n.memory_limit || n.disk_slow ||
                     n.disk_stalled || n.disk_full || n.disk_errors;
  return fault ? NodeHealth::kDegraded : NodeHealth::kHealthy;
}

QColor accentOf(NodeHealth h) {
  switch (h) {
    case NodeHealth::kHealthy:
      return healthyColor();
    case NodeHealth::kDegraded:
      return degradedColor();
    case NodeHealth::kDead:
      return deadColor();
  }
  return healthyColor();
}

QRectF footprint(QPointF centre) {
  return {centre.x() - kNodeW / 2, centre.y() - kNodeH / 2, kNodeW, kNodeH + kStripH};
}

bool anyOverlap(const std::vector<QPointF>& pts) {
  const double g = kNodeGap / 2;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    for (std::size_t j = i + 1; j < pts.size(); ++j) {
      if (footprint(pts[i]).adjusted(-g, -g, g, g).intersects(footprint(pts[j]))) return true;
    }
  }
  return false;
}

// Node centres on an ellipse around (0, 0), first node on top (two nodes: side by side), grown
// until no two footprints come closer than kNodeGap.
std::vector<QPointF> ringPositions(int n) {
  std::vector<QPointF> pts(static_cast<std::size_t>(std::max(n, 0)));
  if (n <= 1) return pts;
  const double start = n == 2 ? std::numbers::pi : -std::numbers::pi / 2;
  double ry = 80;
  for (int step = 0; step < 200; ++step, ry *= 1.05) {  // 1.05^200: any cluster fits
    for (int i = 0; i < n; ++i) {
      const double angle = start + 2 * std::numbers::pi * i / n;
      pts[static_cast<std::size_t>(i)] = {ry * kRingAspect * std::cos(angle), ry * std::sin(angle)};
    }
    if (!anyOverlap(pts)) break;
  }
  return pts;
}

const cluster::PeerInfo* peerInfo(const sim::NodeSnapshot& n, int peer) {
  for (const auto& p : n.peers) {
    if (p.node == peer) return &p;
  }
  return nullptr;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// A node: box, figures, badges, shard bars, heat strip; small on screen, a coloured box and its
// id. Painted from its snapshot.

class TopologyNodeItem : public QGraphicsItem {
  Q_DECLARE_TR_FUNCTIONS(iris::ui::TopologyView)

 public:
  // large: the id may overhang the box when drawn small (a large cluster: the ring leaves room).
  TopologyNodeItem(int index, bool large) : overhang_(large ? kCompactOverhang : 0) {
    setFlag(ItemIsSelectable);
    setData(kKindKey, kNodeKind);
    setData(kAKey, index);
    setZValue(1);
    setAcceptHoverEvents(false);
  }

  // The node is `index` of `snapshot` (kept, not copied).
  void setNode(SnapshotPtr snapshot, std::size_t index, double bar_reference) {
    const SnapshotPtr old = std::move(snapshot_);
    const sim::NodeSnapshot& was = *node_;
    snapshot_ = std::move(snapshot);
    node_ = &snapshot_->cluster.nodes[index];
    // Drawn small, a node shows only its health and id: most snapshots change neither.
    const bool same =
        painted_compact_ && old && was.id == node_->id && healthOf(was) == healthOf(*node_);
    bar_reference_ = bar_reference;
    setToolTip(tooltip());
    if (!same) update();
  }
  const sim::NodeSnapshot& node() const { return *node_; }

  QRectF boundingRect() const override {
    return box().adjusted(-7 - overhang_, -7, 7 + overhang_, 7 + kStripH);
  }
  QPainterPath shape() const override {
    QPainterPath path;
    path.addRoundedRect(box(), kRadius, kRadius);
    return path;
  }

  void paint(QPainter* p, const QStyleOptionGraphicsItem* option, QWidget*) override {
    const QPalette pal = scene()->palette();
    const NodeHealth health = healthOf(*node_);
    const double lod = option->levelOfDetailFromTransform(p->worldTransform());
    painted_compact_ = lod < kCompactLod;
    if (painted_compact_) {
      paintCompact(p, pal, health, lod);
      return;
    }
    paintBox(p, pal, health);
    p->save();
    p->translate(box().topLeft());
    paintHeader(p, health);
    paintFigures(p, pal);
    paintBadges(p, pal);
    paintShards(p, pal);
    paintHotUsers(p, pal);
    p->restore();
  }

  static QString compact(std::uint64_t v) {
    if (v < 1000) return QString::number(v);
    if (v < 1'000'000)
      return tr("%1k").arg(static_cast<double>(v) / 1e3, 0, 'f', v < 10'000 ? 1 : 0);
    return tr("%1M").arg(static_cast<double>(v) / 1e6, 0, 'f', 1);
  }
  static QString bytes(std::uint64_t v) {
    return QLocale().formattedDataSize(static_cast<qint64>(v), 1, QLocale::DataSizeIecFormat);
  }

 private:
  struct Badge {
    QString text;
    bool severe;  // the node loses writes or refuses them: red, not amber
  };

  static QRectF box() { return {-kNodeW / 2, -kNodeH / 2, kNodeW, kNodeH}; }

  std::vector<Badge> badges() const {
    std::vector<Badge> b;
    if (node_->disk_errors) b.push_back({tr("disk errors"), true});
    if (node_->disk_full) b.push_back({tr("disk full"), true});
    if (node_->disk_stalled) b.push_back({tr("disk stalled"), false});
    if (node_->disk_slow) b.push_back({tr("disk slow"), false});
    if (node_->cpu_burn_us)
      b.push_back({tr("CPU +%1 ms").arg(static_cast<double>(node_->cpu_burn_us) / 1e3), false});
    if (node_->memory_limit)
      b.push_back({tr("mem %1/shard").arg(bytes(node_->memory_limit)), false});
    if (node_->clog_us)
      b.push_back({tr("clog +%1 ms").arg(static_cast<double>(node_->clog_us) / 1e3), false});
    return b;
  }

  std::vector<const sim::HotUser*> hotUsers() const {
    std::vector<const sim::HotUser*> hot;
    for (const auto& s : node_->shards) {
      for (const auto& h : s.hot_users) hot.push_back(&h);
    }
    std::stable_sort(hot.begin(), hot.end(), [](auto* a, auto* b) { return a->inbox > b->inbox; });
    return hot;
  }

  void paintBox(QPainter* p, const QPalette& pal, NodeHealth health) const {
    const QColor base = pal.color(QPalette::Base);
    const QColor accent = accentOf(health);
    const QColor body = health == NodeHealth::kDead ? mix(base, QColor(128, 128, 128), 0.3)
                                                    : mix(base, accent, 0.1);
    if (isSelected()) {
      p->setPen(QPen(pal.color(QPalette::Highlight), 4));
      p->setBrush(Qt::NoBrush);
      p->drawRoundedRect(box().adjusted(-5, -5, 5, 5), kRadius + 4, kRadius + 4);
    }
    QPainterPath outline;
    outline.addRoundedRect(box(), kRadius, kRadius);
    p->fillPath(outline, body);
    QPainterPath band;
    band.addRect(box().x(), box().y(), kNodeW, kHeaderH);
    p->fillPath(outline.intersected(band), accent);
    p->setPen(QPen(accent, 2));
    p->setBrush(Qt::NoBrush);
    p->drawPath(outline);
  }

  // Small on screen: the box in its health's colour and the id in device pixels, wider than the
  // box if need be (up to the overhang), nothing else. The tooltip still has everything.
  void paintCompact(QPainter* p, const QPalette& pal, NodeHealth health, double lod) const {
    p->save();
    p->setTransform(QTransform::fromScale(lod, lod).inverted(), true);  // device pixels from here
    QFont font = sceneFont(scene(), kCompactLabelPx, true);
    p->setFont(font);
    const QFontMetricsF fm(font);
    const double max_w = (kNodeW + 2 * overhang_) * lod, max_h = (kNodeH + kStripH) * lod;
    const QString id = QString::fromStdString(node_->id);
    const bool label = fm.height() + 2 <= max_h;
    const QString text = label ? fm.elidedText(id, Qt::ElideRight, max_w - 4) : QString();
    const double w = std::min(max_w, std::max(kNodeW * lod, fm.horizontalAdvance(text) + 4));
    const double h = std::max(kNodeH * lod, label ? fm.height() + 2 : 0.0);
    const QRectF r(-w / 2, -h / 2, w, h);
    const QColor accent = accentOf(health);
    if (isSelected()) {
      p->setPen(QPen(pal.color(QPalette::Highlight), 2));
      p->setBrush(Qt::NoBrush);
      p->drawRoundedRect(r.adjusted(-2.5, -2.5, 2.5, 2.5), 4, 4);
    }
    p->setPen(Qt::NoPen);
    p->setBrush(accent);
    p->drawRoundedRect(r, 3, 3);
    if (label) {
      p->setPen(health == NodeHealth::kDegraded ? darkText() : QColor(Qt::white));
      p->drawText(r, Qt::AlignCenter, text);
    }
    p->restore();
  }

  void paintHeader(QPainter* p, NodeHealth health) const {
    const QColor fg = health == NodeHealth::kDegraded ? darkText() : QColor(Qt::white);
    const QString state = health == NodeHealth::kDead       ? tr("DOWN")
                          : health == NodeHealth::kDegraded ? tr("degraded")
                                                            : tr("up");
    p->setPen(fg);
    p->setFont(sceneFont(scene(), 12));
    const QRectF r(10, 0, kNodeW - 20, kHeaderH);
    p->drawText(r, Qt::AlignRight | Qt::AlignVCenter, state);
    const double state_w = p->fontMetrics().horizontalAdvance(state) + 8;
    p->setFont(sceneFont(scene(), 15, true));
    drawElided(p, r.adjusted(0, 0, -state_w, 0), Qt::AlignLeft | Qt::AlignVCenter,
               QString::fromStdString(node_->id));
  }

  void paintFigures(QPainter* p, const QPalette& pal) const {
    const QLocale loc;
    QString first, second;
    if (node_->alive) {
      first = tr("%1 sessions · %2 users")
                  .arg(loc.toString(node_->sessions), loc.toString(node_->users));
      second = tr("mem %1 · store %2 rows")
                   .arg(bytes(node_->memory_bytes), loc.toString(node_->store_rows));
    } else {
      first = tr("down · incarnation %1").arg(node_->incarnation);
      second = tr("store %1 rows").arg(loc.toString(node_->store_rows));
    }
    p->setPen(pal.color(QPalette::Text));
    p->setFont(sceneFont(scene(), 12));
    drawElided(p, QRectF(10, kHeaderH + 5, kNodeW - 20, 17), Qt::AlignLeft | Qt::AlignVCenter,
               first);
    drawElided(p, QRectF(10, kHeaderH + 22, kNodeW - 20, 17), Qt::AlignLeft | Qt::AlignVCenter,
               second);
  }

  void paintBadges(QPainter* p, const QPalette& pal) const {
    const auto list = badges();
    p->setFont(sceneFont(scene(), 11, true));
    if (list.empty()) {
      if (!node_->alive) return;
      p->setPen(pal.color(QPalette::PlaceholderText));
      p->setFont(sceneFont(scene(), 11));
      p->drawText(QRectF(10, kBadgeTop, kNodeW - 20, kBadgeH), Qt::AlignLeft | Qt::AlignVCenter,
                  tr("no faults"));
      return;
    }
    double x = 10, y = kBadgeTop;
    int row = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const double w = p->fontMetrics().horizontalAdvance(list[i].text) + 12;
      if (x + w > kNodeW - 10 && x > 10) {
        if (++row == kBadgeRows) {  // no room: say how many more (the tooltip lists them)
          p->setPen(pal.color(QPalette::Text));
          p->drawText(QRectF(kNodeW - 34, y, 28, kBadgeH), Qt::AlignRight | Qt::AlignVCenter,
                      tr("+%1").arg(list.size() - i));
          return;
        }
        x = 10;
        y += kBadgeH + kBadgeGap;
      }
      const QColor bg = list[i].severe ? deadColor() : degradedColor();
      p->setPen(Qt::NoPen);
      p->setBrush(bg);
      p->drawRoundedRect(QRectF(x, y, w, kBadgeH), kBadgeH / 2, kBadgeH / 2);
      p->setPen(list[i].severe ? QColor(Qt::white) : darkText());
      p->drawText(QRectF(x, y, w, kBadgeH), Qt::AlignCenter, list[i].text);
      x += w + kBadgeGap;
    }
  }

  // One bar per router shard, as high as its inbox (log scale against the busiest shard of the
  // cluster), the count above it and the shard's id under it.
  void paintShards(QPainter* p, const QPalette& pal) const {
    const auto n = static_cast<double>(node_->shards.size());
    if (node_->shards.empty()) {
      p->setPen(pal.color(QPalette::PlaceholderText));
      p->setFont(sceneFont(scene(), 11));
      p->drawText(QRectF(10, kShardTop, kNodeW - 20, kBarMaxH + 28), Qt::AlignCenter,
                  node_->alive ? tr("no shards") : tr("no shards while down"));
      return;
    }
    const double slot = (kNodeW - 20) / n;
    const double bar_w = std::min(28.0, slot * 0.7);
    const double base_y = kShardTop + 14 + kBarMaxH;
    p->setPen(QPen(pal.color(QPalette::Mid), 1));
    p->drawLine(QPointF(10, base_y), QPointF(kNodeW - 10, base_y));
    for (std::size_t i = 0; i < node_->shards.size(); ++i) {
      const auto& s = node_->shards[i];
      const double cx = 10 + slot * (static_cast<double>(i) + 0.5);
      const double h =
          std::max(2.0, kBarMaxH * logScale(static_cast<double>(s.inbox_messages), bar_reference_));
      p->setPen(Qt::NoPen);
      p->setBrush(barColor());
      p->drawRect(QRectF(cx - bar_w / 2, base_y - h, bar_w, h));
      p->setPen(pal.color(QPalette::Text));
      if (slot >= 24) {
        p->setFont(sceneFont(scene(), 11));
        p->drawText(QRectF(cx - slot / 2, base_y - h - 15, slot, 14), Qt::AlignCenter,
                    compact(s.inbox_messages));
      }
      if (slot >= 16) {
        p->setFont(sceneFont(scene(), 10));
        p->setPen(pal.color(QPalette::PlaceholderText));
        p->drawText(QRectF(cx - slot / 2, base_y + 1, slot, 13), Qt::AlignCenter,
                    tr("s%1").arg(s.id));
      }
    }
  }

  // Under the box: one row per hot recipient (the largest inboxes first), one cell per inbox
  // bucket, coloured by the recipient's inbox per bucket.
  void paintHotUsers(QPainter* p, const QPalette& pal) const {
    const auto hot = hotUsers();
    const double label_w = 54, count_w = 50;
    p->setFont(sceneFont(scene(), 11));
    for (std::size_t r = 0; r < hot.size() && r < static_cast<std::size_t>(kStripRows); ++r) {
      const auto& h = *hot[r];
      const double y = kNodeH + kStripGap + static_cast<double>(r) * kStripRowH;
      p->setPen(pal.color(QPalette::Text));
      drawElided(p, QRectF(0, y, label_w, kStripRowH - 2), Qt::AlignLeft | Qt::AlignVCenter,
                 hotName(h));
      const auto buckets = std::max<std::uint32_t>(1, h.buckets);
      const double cell = std::min(22.0, (kNodeW - label_w - count_w) / buckets);
      const double per_bucket = static_cast<double>(h.inbox) / buckets;
      p->setPen(QPen(pal.color(QPalette::Mid), 1));
      p->setBrush(heatColor(logScale(per_bucket, kHeatReference)));
      for (std::uint32_t b = 0; b < buckets; ++b)
        p->drawRect(QRectF(label_w + b * cell, y + 1, cell, kStripRowH - 4));
      QString count = compact(h.inbox);
      if (r + 1 == static_cast<std::size_t>(kStripRows) && hot.size() > r + 1)
        count = tr("%1 (+%2)").arg(count).arg(hot.size() - r - 1);
      p->setPen(pal.color(QPalette::Text));
      p->drawText(QRectF(label_w + buckets * cell + 5, y, count_w + 20, kStripRowH - 2),
                  Qt::AlignLeft | Qt::AlignVCenter, count);
    }
  }

  // A hand-off queue (messages held for an unreachable node) is bucketed like a hot user.
  static QString hotName(const sim::HotUser& h) {
    if (!cluster::is_handoff_queue(h.user)) return QString::fromStdString(h.user);
    return tr("→ %1").arg(QString::fromStdString(std::string(cluster::handoff_queue_node(h.user))));
  }

  QString tooltip() const {
    const QLocale loc;
    QStringList lines;
    lines << tr("%1: %2, incarnation %3")
                 .arg(QString::fromStdString(node_->id), node_->alive ? tr("up") : tr("down"))
                 .arg(node_->incarnation);
    if (node_->alive) {
      lines << tr("%1 sessions, %2 users, %3 in inboxes, memory %4")
                   .arg(loc.toString(node_->sessions), loc.toString(node_->users),
                        loc.toString(node_->inbox_messages), bytes(node_->memory_bytes));
      lines << tr("accepted %1, delivered %2, forwarded %3, hand-off queued %4")
                   .arg(loc.toString(node_->sends_accepted), loc.toString(node_->delivered),
                        loc.toString(node_->forwarded), loc.toString(node_->handoff_queued));
      lines << tr("refused: store %1, retry later %2, rate %3, order %4")
                   .arg(loc.toString(node_->refused_store),
                        loc.toString(node_->refused_retry_later), loc.toString(node_->refused_rate),
                        loc.toString(node_->refused_order));
    }
    lines
        << tr("store: %1 rows, %2").arg(loc.toString(node_->store_rows), bytes(node_->store_bytes));
    for (const auto* h : hotUsers()) {
      const QString who =
          cluster::is_handoff_queue(h->user)
              ? tr("hand-off for %1")
                    .arg(QString::fromStdString(std::string(cluster::handoff_queue_node(h->user))))
              : QString::fromStdString(h->user);
      lines << tr("hot: %1 in %2 buckets, %3 queued")
                   .arg(who)
                   .arg(h->buckets)
                   .arg(loc.toString(h->inbox));
    }
    QStringList faults;
    for (const auto& b : badges()) faults << b.text;
    if (!faults.isEmpty()) lines << tr("faults: %1").arg(faults.join(QStringLiteral(", ")));
    lines << tr("Right-click for faults; Ctrl+click to select several.");
    return lines.join(QLatin1Char('\n'));
  }

  static const sim::NodeSnapshot* noNode() {
    static const sim::NodeSnapshot none;
    return &none;
  }

  double overhang_;
  SnapshotPtr snapshot_;
  const sim::NodeSnapshot* node_ = noNode();  // in snapshot_
  double bar_reference_ = kBarMinReference;
  bool painted_compact_ = false;  // the last paint was the compact one
};

// ---------------------------------------------------------------------------------------------
// Every peer link, under the nodes: one item, one path per link health (a few thousand items and
// lines cost tens of milliseconds per repaint), slow links labelled with their rtt. In a large
// cluster only the links that are not healthy are drawn. Not hit by itemAt(): the view finds the
// link under a point (linkAt) and makes its tooltip.

class TopologyLinksItem : public QGraphicsItem {
 public:
  using Health = TopologyView::LinkHealth;

  // centres: the nodes'; the links are the pairs a < b, in the view's order. hide_healthy: a large
  // cluster.
  TopologyLinksItem(const std::vector<QPointF>& centres, bool hide_healthy)
      : hide_healthy_(hide_healthy) {
    setData(kKindKey, kLinkKind);
    setZValue(0);
    setAcceptedMouseButtons(Qt::NoButton);
    // Drawn small, hundreds of links may be drawn: keep them as pixels until a link changes.
    if (hide_healthy) setCacheMode(DeviceCoordinateCache);
    const int n = static_cast<int>(centres.size());
    for (int a = 0; a < n; ++a) {
      for (int b = a + 1; b < n; ++b) {
        const QPointF pa = centres[static_cast<std::size_t>(a)];
        const QPointF pb = centres[static_cast<std::size_t>(b)];
        links_.push_back({a, b, pa, pb, Health::kDown, false, {}});
      }
    }
    // Every centre, with room for labels (QRectF::united() would skip the empty QRectF(c, c)).
    QRectF all;
    if (!centres.empty()) all = QRectF(centres.front(), centres.front());
    for (const QPointF& c : centres) {
      all.setLeft(std::min(all.left(), c.x()));
      all.setRight(std::max(all.right(), c.x()));
      all.setTop(std::min(all.top(), c.y()));
      all.setBottom(std::max(all.bottom(), c.y()));
    }
    bounds_ = links_.empty() ? QRectF() : all.adjusted(-60, -30, 60, 30);
  }

  std::size_t count() const { return links_.size(); }
  Health health(std::size_t i) const { return links_[i].health; }
  bool cut(std::size_t i) const { return links_[i].cut; }
  bool drawn(std::size_t i) const { return drawn(links_[i]); }
  int drawnCount() const {
    return static_cast<int>(
        std::count_if(links_.begin(), links_.end(), [this](const Link& l) { return drawn(l); }));
  }

  // label: the rtt of a slow link. Takes effect with commit().
  void setState(std::size_t i, Health health, bool cut, const QString& label) {
    Link& l = links_[i];
    if (l.health != health || l.cut != cut) {
      const bool was = drawn(l);
      l.health = health;
      l.cut = cut;
      paths_dirty_ |= was || drawn(l);
    }
    if (l.label != label) {
      if (drawn(l) && !paths_dirty_) update(labelRect(l));
      l.label = label;
    }
  }
  // cuts_drawn: cut links are drawn in the colour of a cut (there are too many cut markers).
  void setCutsDrawn(bool cuts_drawn) {
    paths_dirty_ |= cuts_drawn != cuts_drawn_;
    cuts_drawn_ = cuts_drawn;
  }
  void commit() {
    if (!paths_dirty_) return;
    paths_dirty_ = false;
    for (auto& path : paths_) path.clear();
    for (const Link& l : links_) {
      if (!drawn(l)) continue;
      QPainterPath& path =
          paths_[cuts_drawn_ && l.cut ? kCutPath : static_cast<std::size_t>(l.health)];
      path.moveTo(l.pa);
      path.lineTo(l.pb);
    }
    update();
  }

  // The index of the drawn link nearest to `at` within `tolerance`, or -1.
  int linkAt(QPointF at, double tolerance) const {
    int best = -1;
    double best_d = tolerance;
    for (std::size_t i = 0; i < links_.size(); ++i) {
      const Link& l = links_[i];
      if (!drawn(l)) continue;
      const QPointF d = l.pb - l.pa;
      const double len2 = QPointF::dotProduct(d, d);
      const double t =
          len2 > 0 ? std::clamp(QPointF::dotProduct(at - l.pa, d) / len2, 0.0, 1.0) : 0.0;
      const QPointF off = at - (l.pa + d * t);
      const double dist = std::hypot(off.x(), off.y());
      if (dist <= best_d) {
        best_d = dist;
        best = static_cast<int>(i);
      }
    }
    return best;
  }
  std::pair<int, int> ends(std::size_t i) const { return {links_[i].a, links_[i].b}; }

  QRectF boundingRect() const override { return bounds_; }
  QPainterPath shape() const override { return {}; }
  bool contains(const QPointF&) const override { return false; }
  bool collidesWithPath(const QPainterPath&, Qt::ItemSelectionMode) const override { return false; }

  void paint(QPainter* p, const QStyleOptionGraphicsItem* option, QWidget*) override {
    const double lod = option->levelOfDetailFromTransform(p->worldTransform());
    p->setBrush(Qt::NoBrush);
    for (std::size_t h = 0; h < paths_.size(); ++h) {
      if (paths_[h].isEmpty()) continue;
      if (h == kCutPath) {  // many: as thin as down links
        QPen cut(cutColor(), kMinDownLinkPx, Qt::SolidLine, Qt::FlatCap);
        cut.setCosmetic(true);
        p->setPen(cut);
      } else {
        p->setPen(pen(static_cast<Health>(h), lod));
      }
      p->drawPath(paths_[h]);
    }
    if (lod < kCompactLod) return;  // plates too small to read: the colour says slow
    const QPalette pal = scene()->palette();
    p->setFont(sceneFont(scene(), 11, true));
    for (const Link& l : links_) {
      if (l.label.isEmpty() || !drawn(l)) continue;
      drawPlate(p, (l.pa + l.pb) / 2, l.label, pal.color(QPalette::Text), pal.color(QPalette::Base),
                pen(l.health, lod).color());
    }
  }

 private:
  struct Link {
    int a, b;
    QPointF pa, pb;
    Health health = Health::kDown;
    bool cut = false;
    QString label;
  };

  bool drawn(const Link& l) const { return !hide_healthy_ || l.health != Health::kUp || l.cut; }
  static QRectF labelRect(const Link& l) {
    const QPointF mid = (l.pa + l.pb) / 2;
    return {mid.x() - 60, mid.y() - 30, 120, 60};
  }

  // A large cluster drawn small: the links it draws are at least kMinLinkPx wide on screen.
  QPen pen(Health health, double lod) const {
    QPen pen;
    switch (health) {
      case Health::kUp:
        pen = {healthyColor(), 3, Qt::SolidLine, Qt::RoundCap};
        break;
      case Health::kSlow:
        pen = {degradedColor(), 3, Qt::SolidLine, Qt::RoundCap};
        break;
      case Health::kOneSided:
        pen = {degradedColor(), 2.5, Qt::DashLine, Qt::FlatCap};
        break;
      case Health::kDown:
        pen = {downLinkColor(), 2, Qt::DashLine, Qt::FlatCap};
        break;
    }
    // Down links are the many (a dead node has one to every other): thinner.
    const double min_px = health == Health::kDown ? kMinDownLinkPx : kMinLinkPx;
    if (hide_healthy_ && pen.widthF() * lod < min_px) {
      pen.setCosmetic(true);
      pen.setWidthF(min_px);
    }
    return pen;
  }

  static constexpr std::size_t kCutPath = 4;
  const bool hide_healthy_;
  std::vector<Link> links_;
  std::array<QPainterPath, 5> paths_;  // by Health, then kCutPath
  bool paths_dirty_ = true, cuts_drawn_ = false;
  QRectF bounds_;
};

// ---------------------------------------------------------------------------------------------
// A partition across one link: a thick red dashed wall across it with a "✂" plate; a one-way cut
// adds an arrow on the blocked sender's side, pointing at the wall.

class TopologyCutItem : public QGraphicsItem {
  Q_DECLARE_TR_FUNCTIONS(iris::ui::TopologyView)

 public:
  // large: a large cluster, drawn small: the marker keeps its size on screen and its plate goes
  // inwards (the ring is the edge of the view, its middle is free).
  TopologyCutItem(int a, int b, QPointF pa, QPointF pb, QString name_a, QString name_b, bool large)
      : name_a_(std::move(name_a)), name_b_(std::move(name_b)) {
    setData(kKindKey, kCutKind);
    setData(kAKey, a);
    setData(kBKey, b);
    setZValue(3);
    const QPointF d = pb - pa;
    const double len = std::max(1.0, std::hypot(d.x(), d.y()));
    u_ = d / len;
    // Through the ring's centre every cut would sit on the same spot: move it towards a.
    QPointF at = (pa + pb) / 2;
    if (std::hypot(at.x(), at.y()) < 60) at = pa + d * 0.38;
    setPos(at);
    n_ = QPointF(-u_.y(), u_.x());
    if ((QPointF::dotProduct(n_, at) < 0) != large) n_ = -n_;  // the plate: off the centre
    if (large) {
      setFlag(ItemIgnoresTransformations);
      setScale(kCutScreenScale);
    }
    setVisible(false);
  }

  // ab: nothing from a reaches b; ba: the other way.
  // marker: false draws no marker (too many cuts to show one each: the links show them).
  void setCut(bool ab, bool ba, bool marker = true) {
    if (ab == ab_ && ba == ba_ && marker == marker_) return;
    marker_ = marker;
    setVisible((ab || ba) && marker);
    if (ab == ab_ && ba == ba_) return;
    ab_ = ab;
    ba_ = ba;
    setToolTip(ab && ba ? tr("Partition: %1 and %2 cannot reach each other").arg(name_a_, name_b_)
               : ab     ? tr("One-way partition: nothing from %1 reaches %2").arg(name_a_, name_b_)
                    : tr("One-way partition: nothing from %1 reaches %2").arg(name_b_, name_a_));
    update();
  }
  QString label() const {
    if (ab_ && ba_) return tr("✂ cut");
    return ab_ ? tr("✂ %1 ↛ %2").arg(name_a_, name_b_) : tr("✂ %1 ↛ %2").arg(name_b_, name_a_);
  }

  QRectF boundingRect() const override { return {-110, -110, 220, 220}; }
  QPainterPath shape() const override {  // the wall and the plate
    QPainterPath path;
    path.addEllipse(QPointF(0, 0), 26, 26);
    path.addRect(QRectF(n_.x() * 40 - 50, n_.y() * 40 - 12, 100, 24));
    return path;
  }

  void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override {
    QPen wall(cutColor(), 6, Qt::CustomDashLine, Qt::FlatCap);
    wall.setDashPattern({1.5, 0.8});
    p->setPen(wall);
    p->drawLine(n_ * -22, n_ * 22);
    if (ab_ != ba_) {
      const QPointF d = ab_ ? u_ : -u_;  // the blocked direction
      const QPointF tip = -d * 7, back = -d * 24;
      p->setPen(QPen(cutColor(), 3, Qt::SolidLine, Qt::RoundCap));
      p->drawLine(-d * 40, back);
      p->setPen(Qt::NoPen);
      p->setBrush(cutColor());
      QPolygonF head;
      head << tip << back + n_ * 9 << back - n_ * 9;
      p->drawPolygon(head);
    }
    const QPalette pal = scene()->palette();
    p->setFont(sceneFont(scene(), 12, true));
    drawPlate(p, n_ * 40, label(), cutColor(), pal.color(QPalette::Base), cutColor());
  }

 private:
  QString name_a_, name_b_;
  QPointF u_, n_;  // unit vector a -> b, and across it
  bool ab_ = false, ba_ = false, marker_ = true;
};

// ---------------------------------------------------------------------------------------------
// The legend, beside the ring, with a status line on top.

class TopologyLegendItem : public QGraphicsItem {
  Q_DECLARE_TR_FUNCTIONS(iris::ui::TopologyView)

 public:
  // large: a large cluster, longer figures and a third status line (the links not drawn).
  explicit TopologyLegendItem(bool large)
      : w_(std::max(large ? kLegendW + kLegendWider : kLegendW, widestLabel() + 66)),
        extra_(large ? kStatusLineH : 0) {
    setData(kKindKey, kLegendKind);
    setZValue(2);
  }
  void setStatus(const QString& first, const QString& second, const QString& third = {}) {
    if (first == first_ && second == second_ && third == third_) return;
    first_ = first;
    second_ = second;
    third_ = third;
    update();
  }

  QString status() const {
    QStringList lines{first_, second_};
    if (!third_.isEmpty()) lines << third_;
    return lines.join(QLatin1Char('\n'));
  }

  QRectF boundingRect() const override { return {0, 0, w_, kLegendH + extra_}; }

  void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override {
    const QPalette pal = scene()->palette();
    p->setPen(QPen(pal.color(QPalette::Mid), 1));
    p->setBrush(pal.color(QPalette::AlternateBase));
    p->drawRoundedRect(boundingRect().adjusted(0.5, 0.5, -0.5, -0.5), 8, 8);
    p->setPen(pal.color(QPalette::Text));
    p->setFont(sceneFont(scene(), 14, true));
    drawElided(p, QRectF(12, 8, w_ - 24, 20), Qt::AlignLeft | Qt::AlignVCenter, first_);
    p->setFont(sceneFont(scene(), 12));
    drawElided(p, QRectF(12, 28, w_ - 24, 18), Qt::AlignLeft | Qt::AlignVCenter, second_);
    if (extra_ > 0) {
      drawElided(p, QRectF(12, 28 + kStatusLineH, w_ - 24, 18), Qt::AlignLeft | Qt::AlignVCenter,
                 third_);
    }
    p->translate(0, extra_);
    p->setPen(QPen(pal.color(QPalette::Mid), 1));
    p->drawLine(QPointF(12, 52), QPointF(w_ - 12, 52));
    paintEntries(p, pal);
    p->setPen(pal.color(QPalette::PlaceholderText));
    p->setFont(sceneFont(scene(), 11));
    p->drawText(QRectF(12, kLegendH - 64, w_ - 24, 58), Qt::TextWordWrap | Qt::AlignLeft,
                tr("Right-click a node, a link or empty space to inject faults. Ctrl+click or "
                   "drag to select several nodes."));
  }

 private:
  void paintEntries(QPainter* p, const QPalette& pal) const {
    using Swatch = std::function<void(QPainter*, const QRectF&)>;
    const auto line = [](QPen pen) {
      return Swatch([pen](QPainter* q, const QRectF& r) {
        q->setPen(pen);
        q->drawLine(QPointF(r.left(), r.center().y()), QPointF(r.right(), r.center().y()));
      });
    };
    const auto box = [](QColor c) {
      return Swatch([c](QPainter* q, const QRectF& r) {
        q->setPen(QPen(c, 1.5));
        q->setBrush(c);
        q->drawRoundedRect(r.adjusted(6, 2, -6, -2), 3, 3);
      });
    };
    const Swatch cut = [](QPainter* q, const QRectF& r) {
      QPen wall(cutColor(), 5, Qt::CustomDashLine, Qt::FlatCap);
      wall.setDashPattern({1.5, 0.8});
      q->setPen(wall);
      q->drawLine(QPointF(r.center().x(), r.top()), QPointF(r.center().x(), r.bottom()));
    };
    const Swatch bars = [](QPainter* q, const QRectF& r) {
      q->setPen(Qt::NoPen);
      q->setBrush(barColor());
      for (int i = 0; i < 3; ++i)
        q->drawRect(QRectF(r.left() + 4 + i * 11, r.bottom() - 5 - i * 5, 7, 5 + i * 5));
    };
    const Swatch heat = [](QPainter* q, const QRectF& r) {
      q->setPen(Qt::NoPen);
      for (int i = 0; i < 4; ++i) {
        q->setBrush(heatColor(i / 3.0));
        q->drawRect(QRectF(r.left() + i * 9, r.top() + 3, 9, r.height() - 6));
      }
    };
    const QStringList labels = entryLabels();
    const std::vector<std::pair<Swatch, QString>> entries = {
        {line(QPen(healthyColor(), 3)), labels[0]},
        {line(QPen(degradedColor(), 3)), labels[1]},
        {line(QPen(degradedColor(), 2.5, Qt::DashLine)), labels[2]},
        {line(QPen(downLinkColor(), 2, Qt::DashLine)), labels[3]},
        {cut, labels[4]},
        {box(healthyColor()), labels[5]},
        {box(degradedColor()), labels[6]},
        {box(deadColor()), labels[7]},
        {bars, labels[8]},
        {heat, labels[9]},
    };
    double y = 62;
    p->setFont(sceneFont(scene(), 12));
    for (const auto& [swatch, text] : entries) {
      p->save();
      swatch(p, QRectF(12, y, 36, 18));
      p->restore();
      p->setPen(pal.color(QPalette::Text));
      drawElided(p, QRectF(56, y, w_ - 66, 18), Qt::AlignLeft | Qt::AlignVCenter, text);
      y += 23;
    }
  }

  // The entries' labels, in order; the legend is as wide as the widest needs (translations are
  // longer than English).
  static QStringList entryLabels() {
    return {tr("link up"),
            tr("link slow (rtt > 20 ms)"),
            tr("link up on one side only"),
            tr("link down"),
            tr("✂ partition (↛ one-way)"),
            tr("node healthy"),
            tr("node degraded (fault active)"),
            tr("node down"),
            tr("inbox per router shard"),
            tr("hot recipient: inbox buckets")};
  }
  static double widestLabel() {
    const QFontMetricsF fm(sceneFont(nullptr, 12));
    double w = 0;
    for (const auto& label : entryLabels()) w = std::max(w, fm.horizontalAdvance(label));
    return std::ceil(w) + 4;
  }

  double w_, extra_;
  QString first_, second_, third_;
};

// ---------------------------------------------------------------------------------------------

std::chrono::milliseconds TopologyView::durationOf(FaultDuration duration) {
  switch (duration) {
    case FaultDuration::k10s:
      return std::chrono::seconds(10);
    case FaultDuration::k30s:
      return std::chrono::seconds(30);
    case FaultDuration::kUntilRecovered:
      return std::chrono::milliseconds(0);
  }
  return std::chrono::milliseconds(0);
}

TopologyView::TopologyView(ClusterSource* source, QWidget* parent)
    : QGraphicsView(parent), source_(source), scene_(new QGraphicsScene(this)) {
  setScene(scene_);
  setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setDragMode(QGraphicsView::RubberBandDrag);
  setFrameShape(QFrame::NoFrame);
  setMinimumSize(320, 240);
  setAccessibleName(tr("Cluster topology"));
  scene_->setPalette(palette());
  scene_->setFont(font());
  rebuild(0);
}

TopologyView::~TopologyView() = default;

void TopologyView::setSnapshot(const SnapshotPtr& snapshot) {
  if (!snapshot) return;
  snapshot_ = snapshot;
  const sim::ClusterSnapshot& c = snapshot->cluster;
  if (c.nodes.size() != nodes_.size()) rebuild(static_cast<int>(c.nodes.size()));
  double bar_reference = kBarMinReference;
  for (const auto& n : c.nodes) {
    for (const auto& s : n.shards)
      bar_reference = std::max(bar_reference, static_cast<double>(s.inbox_messages));
  }
  for (std::size_t i = 0; i < nodes_.size(); ++i) nodes_[i]->setNode(snapshot, i, bar_reference);
  updateLinks(c);
  int up = 0;
  for (const auto& n : c.nodes) up += n.alive ? 1 : 0;
  QString status =
      tr("%1 of %2 nodes up · cut links: %3").arg(up).arg(c.nodes.size()).arg(cut_links_);
  if (c.link_loss > 0) status += tr(" · loss %1%").arg(c.link_loss * 100, 0, 'g', 2);
  QString hidden;
  if (nodeCount() > kAllLinksMaxNodes)
    hidden =
        tr("healthy links not drawn: %1").arg(QLocale().toString(linkCount() - drawnLinkCount()));
  legend_->setStatus(tr("t = %1 s").arg(snapshot->time_s, 0, 'f', 1), status, hidden);
}

void TopologyView::updateLinks(const sim::ClusterSnapshot& c) {
  const int n = nodeCount();
  const auto at = [n](int from, int to) { return static_cast<std::size_t>(from * n + to); };
  std::vector<char> cut(static_cast<std::size_t>(n * n), 0);
  for (const auto& k : c.cuts) {
    if (k.from < static_cast<std::uint32_t>(n) && k.to < static_cast<std::uint32_t>(n))
      cut[at(static_cast<int>(k.from), static_cast<int>(k.to))] = 1;
  }
  // A large cluster with many cut links: no marker each, the links are drawn in the cut colour.
  cut_links_ = 0;
  for (int a = 0; a < n; ++a) {
    for (int b = a + 1; b < n; ++b) cut_links_ += cut[at(a, b)] || cut[at(b, a)] ? 1 : 0;
  }
  const bool markers = n <= kAllLinksMaxNodes || cut_links_ <= kMaxCutMarkers;
  links_->setCutsDrawn(!markers);
  // What each live node reports of each peer (nullptr: no report).
  std::vector<const cluster::PeerInfo*> seen(static_cast<std::size_t>(n * n), nullptr);
  for (int a = 0; a < n; ++a) {
    const auto& na = c.nodes[static_cast<std::size_t>(a)];
    if (!na.alive) continue;
    for (const auto& p : na.peers) {
      if (p.node < n && !seen[at(a, p.node)]) seen[at(a, p.node)] = &p;
    }
  }
  for (int a = 0; a < n; ++a) {
    for (int b = a + 1; b < n; ++b) {
      const auto i = static_cast<std::size_t>(linkIndex(a, b));
      const bool alive_a = c.nodes[static_cast<std::size_t>(a)].alive;
      const bool alive_b = c.nodes[static_cast<std::size_t>(b)].alive;
      const cluster::PeerInfo* ab = seen[at(a, b)];
      const cluster::PeerInfo* ba = seen[at(b, a)];
      const int reports = (ab ? 1 : 0) + (ba ? 1 : 0);
      const int ups = (ab && ab->up ? 1 : 0) + (ba && ba->up ? 1 : 0);
      const std::uint64_t rtt =
          std::max(ab && ab->up ? ab->rtt_us : 0, ba && ba->up ? ba->rtt_us : 0);
      LinkHealth h = LinkHealth::kUp;
      QString label;
      if (!alive_a || !alive_b || ups == 0) {
        h = LinkHealth::kDown;
      } else if (ups < reports) {
        h = LinkHealth::kOneSided;
      } else if (rtt > kSlowRttUs) {
        h = LinkHealth::kSlow;
        label = tr("%1 ms").arg(static_cast<double>(rtt) / 1e3, 0, 'f', 0);
      }
      const bool cut_ab = cut[at(a, b)] != 0, cut_ba = cut[at(b, a)] != 0;
      // Most links are not cut and were not: leave their markers alone (thousands of items).
      if (cut_ab || cut_ba || links_->cut(i)) cuts_[i]->setCut(cut_ab, cut_ba, markers);
      links_->setState(i, h, cut_ab || cut_ba, label);
    }
  }
  links_->commit();
}

QString TopologyView::linkToolTip(int a, int b) const {
  if (!snapshot_ || a < 0 || b < 0 || a >= nodeCount() || b >= nodeCount()) return {};
  const auto& nodes = snapshot_->cluster.nodes;
  const auto side = [&](int from, int to) {
    const auto& n = nodes[static_cast<std::size_t>(from)];
    const cluster::PeerInfo* p = n.alive ? peerInfo(n, to) : nullptr;
    if (!p) return tr("%1: no report (down)").arg(nodeName(from));
    return tr("%1 sees %2 %3, rtt %4 ms (%5)")
        .arg(nodeName(from), nodeName(to), p->up ? tr("up") : tr("down"))
        .arg(static_cast<double>(p->rtt_us) / 1e3, 0, 'f', 2)
        .arg(QString::fromLatin1(cluster::to_string(p->state)));
  };
  return side(a, b) + QLatin1Char('\n') + side(b, a);
}

void TopologyView::rebuild(int count) {
  scene_->clearSelection();
  scene_->clear();
  nodes_.clear();
  links_ = nullptr;
  cuts_.clear();
  const bool large = count > kAllLinksMaxNodes;
  const auto pts = ringPositions(count);
  QRectF ring;
  for (int i = 0; i < count; ++i) {
    auto* item = new TopologyNodeItem(i, large);
    item->setPos(pts[static_cast<std::size_t>(i)]);
    scene_->addItem(item);
    nodes_.push_back(item);
    const double overhang = large ? kCompactOverhang : 0;  // an id wider than its box
    ring = ring.united(
        footprint(pts[static_cast<std::size_t>(i)]).adjusted(-overhang, 0, overhang, 0));
  }
  links_ = new TopologyLinksItem(pts, large);
  scene_->addItem(links_);
  for (int a = 0; a < count; ++a) {
    for (int b = a + 1; b < count; ++b) {
      const QPointF pa = pts[static_cast<std::size_t>(a)], pb = pts[static_cast<std::size_t>(b)];
      cuts_.push_back(new TopologyCutItem(a, b, pa, pb, nodeName(a), nodeName(b), large));
      scene_->addItem(cuts_.back());
    }
  }
  if (count == 0) {
    auto* waiting =
        scene_->addSimpleText(tr("Waiting for the first snapshot…"), sceneFont(scene_, 16));
    waiting->setBrush(palette().color(QPalette::PlaceholderText));
    ring = waiting->sceneBoundingRect();
  }
  legend_ = new TopologyLegendItem(large);
  if (large) legend_->setScale(std::max(1.0, ring.height() / (kLegendPerRing * kLegendH)));
  legend_->setPos(ring.right() + kLegendGap * legend_->scale(), ring.top());
  scene_->addItem(legend_);
  const QRectF all = ring.united(legend_->sceneBoundingRect());
  scene_->setSceneRect(all.adjusted(-kSceneMargin, -kSceneMargin, kSceneMargin, kSceneMargin));
  fit();
}

void TopologyView::fit() {
  const QRectF r = scene_->sceneRect();
  if (r.isEmpty() || viewport()->width() < 2 || viewport()->height() < 2) return;
  fitInView(r, Qt::KeepAspectRatio);
  if (transform().m11() > kMaxScale) {
    setTransform(QTransform::fromScale(kMaxScale, kMaxScale));
    centerOn(r.center());
  }
}

int TopologyView::linkIndex(int a, int b) const {
  if (a > b) std::swap(a, b);
  const int n = nodeCount();
  return a * n - a * (a + 1) / 2 + (b - a - 1);
}

QString TopologyView::nodeName(int node) const {
  if (snapshot_ && node >= 0 && static_cast<std::size_t>(node) < snapshot_->cluster.nodes.size())
    return QString::fromStdString(snapshot_->cluster.nodes[static_cast<std::size_t>(node)].id);
  return tr("node %1").arg(node);
}

bool TopologyView::nodeAlive(int node) const {
  if (!snapshot_ || node < 0 || static_cast<std::size_t>(node) >= snapshot_->cluster.nodes.size())
    return true;  // nothing known yet: offer the faults for a live node
  return snapshot_->cluster.nodes[static_cast<std::size_t>(node)].alive;
}

int TopologyView::linkCount() const {
  return links_ ? static_cast<int>(links_->count()) : 0;
}

int TopologyView::drawnLinkCount() const {
  return links_ ? links_->drawnCount() : 0;
}

bool TopologyView::linkDrawn(int a, int b) const {
  if (a == b || a < 0 || b < 0 || a >= nodeCount() || b >= nodeCount()) return false;
  return links_->drawn(static_cast<std::size_t>(linkIndex(a, b)));
}

std::pair<int, int> TopologyView::linkAt(QPoint pos) const {
  if (!links_) return {-1, -1};
  // 8 units either side (a 16-unit wide stroke), at least 4 pixels when drawn small.
  const double tolerance = std::max(8.0, 4.0 / std::max(transform().m11(), 1e-6));
  const int i = links_->linkAt(mapToScene(pos), tolerance);
  return i < 0 ? std::pair{-1, -1} : links_->ends(static_cast<std::size_t>(i));
}

QString TopologyView::status() const {
  return legend_ ? legend_->status() : QString();
}

int TopologyView::visibleCutCount() const {
  return static_cast<int>(
      std::count_if(cuts_.begin(), cuts_.end(), [](auto* c) { return c->isVisible(); }));
}

QGraphicsItem* TopologyView::nodeItem(int node) const {
  return node >= 0 && node < nodeCount() ? nodes_[static_cast<std::size_t>(node)] : nullptr;
}

QGraphicsItem* TopologyView::cutItem(int a, int b) const {
  if (a == b || a < 0 || b < 0 || a >= nodeCount() || b >= nodeCount()) return nullptr;
  return cuts_[static_cast<std::size_t>(linkIndex(a, b))];
}

TopologyView::LinkHealth TopologyView::linkHealth(int a, int b) const {
  if (a == b || a < 0 || b < 0 || a >= nodeCount() || b >= nodeCount()) return LinkHealth::kDown;
  return links_->health(static_cast<std::size_t>(linkIndex(a, b)));
}

std::vector<int> TopologyView::selectedNodes() const {
  std::vector<int> out;
  for (int i = 0; i < nodeCount(); ++i) {
    if (nodes_[static_cast<std::size_t>(i)]->isSelected()) out.push_back(i);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Events

bool TopologyView::viewportEvent(QEvent* event) {
  // Links are not items of their own: their tooltip is made here, when asked for. Nodes, cuts and
  // the legend lie over the links and answer first.
  if (event->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(event);
    if (!itemAt(help->pos())) {
      const auto [a, b] = linkAt(help->pos());
      if (a >= 0) {
        QToolTip::showText(help->globalPos(), linkToolTip(a, b), viewport(),
                           QRect(help->pos() - QPoint(4, 4), QSize(8, 8)));
        return true;
      }
    }
  }
  return QGraphicsView::viewportEvent(event);
}

void TopologyView::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  fit();
}

void TopologyView::showEvent(QShowEvent* event) {
  QGraphicsView::showEvent(event);
  fit();
}

void TopologyView::changeEvent(QEvent* event) {
  QGraphicsView::changeEvent(event);
  if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) {
    scene_->setPalette(palette());
    scene_->setFont(font());
    scene_->update();
    if (links_) links_->update();  // its cache, if any, too (slow links' labels)
  }
}

void TopologyView::mousePressEvent(QMouseEvent* event) {
  // The scene would clear the selection on a right press: keep it for the context menu.
  if (event->button() == Qt::RightButton) {
    event->accept();
    return;
  }
  QGraphicsView::mousePressEvent(event);
}

void TopologyView::contextMenuEvent(QContextMenuEvent* event) {
  QGraphicsItem* item = itemAt(event->pos());
  while (item && item->parentItem()) item = item->parentItem();
  const int kind = item ? item->data(kKindKey).toInt() : kNoKind;
  QMenu* menu = nullptr;
  if (kind == kNodeKind) {
    if (!item->isSelected()) {  // right-click selects what it hits, like a file manager
      scene_->clearSelection();
      item->setSelected(true);
    }
    menu =
        selectedNodes().size() >= 2 ? menuForSelection() : menuForNode(item->data(kAKey).toInt());
  } else if (kind == kCutKind) {
    menu = menuForLink(item->data(kAKey).toInt(), item->data(kBKey).toInt());
  } else if (const auto [a, b] = linkAt(event->pos()); !item && a >= 0) {
    menu = menuForLink(a, b);
  } else {
    menu = menuForBackground();
  }
  menu->setAttribute(Qt::WA_DeleteOnClose);
  menu->popup(event->globalPos());
  event->accept();
}

// ---------------------------------------------------------------------------------------------
// Menus. Every action calls the source; faults with a duration use the one chosen in the
// "Duration" submenu (10 s until changed), which the source undoes when it runs out.

void TopologyView::apply(const sim::Fault& fault, std::chrono::milliseconds duration) {
  if (source_) source_->applyFault(fault, duration);
}

QMenu* TopologyView::newMenu(const QString& title) {
  auto* menu = new QMenu(this);
  QAction* heading = menu->addAction(title);
  heading->setEnabled(false);
  QFont bold = heading->font();
  bold.setBold(true);
  heading->setFont(bold);
  menu->addSeparator();
  return menu;
}

QAction* TopologyView::addFault(QMenu* menu, const QString& name, const QString& text,
                                sim::Fault fault, std::chrono::milliseconds duration) {
  QAction* action = menu->addAction(text);
  action->setObjectName(name);
  connect(action, &QAction::triggered, this,
          [this, fault = std::move(fault), duration] { apply(fault, duration); });
  return action;
}

QAction* TopologyView::addTimedFault(QMenu* menu, const QString& name, const QString& text,
                                     sim::Fault fault) {
  QAction* action = menu->addAction(text);
  action->setObjectName(name);
  connect(action, &QAction::triggered, this,
          [this, fault = std::move(fault)] { apply(fault, durationOf(duration_)); });
  return action;
}

void TopologyView::addDurationMenu(QMenu* menu) {
  struct Choice {
    FaultDuration duration;
    const char* name;
    QString text, current;  // in the submenu; in its title when chosen
  };
  const Choice choices[] = {{FaultDuration::k10s, "duration10s", tr("For 10 s"), tr("10 s")},
                            {FaultDuration::k30s, "duration30s", tr("For 30 s"), tr("30 s")},
                            {FaultDuration::kUntilRecovered, "durationUntilRecovered",
                             tr("Until recovered"), tr("until recovered")}};
  menu->addSeparator();
  QMenu* sub = menu->addMenu(QString());
  sub->menuAction()->setObjectName(QStringLiteral("duration"));
  auto* group = new QActionGroup(sub);
  for (const auto& c : choices) {
    QAction* a = sub->addAction(c.text);
    a->setObjectName(QString::fromLatin1(c.name));
    a->setCheckable(true);
    a->setChecked(c.duration == duration_);
    group->addAction(a);
    connect(a, &QAction::triggered, this, [this, d = c.duration] { duration_ = d; });
    if (c.duration == duration_) sub->setTitle(tr("Duration: %1").arg(c.current));
  }
}

void TopologyView::addPairActions(QMenu* menu, int a, int b, bool enabled) {
  const auto ua = static_cast<std::uint32_t>(a), ub = static_cast<std::uint32_t>(b);
  const QString na = enabled ? nodeName(a) : tr("A"), nb = enabled ? nodeName(b) : tr("B");
  addTimedFault(menu, QStringLiteral("oneWayAB"), tr("One-way: %1 cannot reach %2").arg(na, nb),
                sim::Partition{{ua}, {ub}, true})
      ->setEnabled(enabled);
  addTimedFault(menu, QStringLiteral("oneWayBA"), tr("One-way: %1 cannot reach %2").arg(nb, na),
                sim::Partition{{ub}, {ua}, true})
      ->setEnabled(enabled);
}

QMenu* TopologyView::menuForNode(int node) {
  const auto n = static_cast<std::uint32_t>(node);
  const bool alive = nodeAlive(node);
  const QString name = nodeName(node);
  QMenu* menu = newMenu(alive ? tr("%1 (up)").arg(name) : tr("%1 (down)").arg(name));
  menu->setObjectName(QStringLiteral("nodeMenu"));
  addTimedFault(menu, QStringLiteral("kill"), tr("Kill"), sim::KillNode{n})->setEnabled(alive);
  // Restart and drain end by themselves: no duration.
  addFault(menu, QStringLiteral("restart"), tr("Restart"), sim::RestartNode{n}, {})
      ->setEnabled(!alive);
  addFault(menu, QStringLiteral("drain"), tr("Drain and restart"), sim::DrainNode{n}, {})
      ->setEnabled(alive);
  std::vector<std::uint32_t> others;
  for (int i = 0; i < nodeCount(); ++i) {
    if (i != node) others.push_back(static_cast<std::uint32_t>(i));
  }
  addTimedFault(menu, QStringLiteral("isolate"), tr("Isolate from the others"),
                sim::Partition{{n}, others, false})
      ->setEnabled(!others.empty());
  menu->addSeparator();
  addTimedFault(menu, QStringLiteral("slowDisk"), tr("Slow disk (20 ms)"),
                sim::SlowDisk{n, 20'000});
  // A stall ends by itself after 2 s; the duration tells the source when it is over.
  addFault(menu, QStringLiteral("stallDisk"), tr("Stall disk (2 s)"), sim::StallDisk{n, 2'000'000},
           std::chrono::seconds(2));
  addTimedFault(menu, QStringLiteral("diskFull"), tr("Disk full"), sim::DiskFull{n, true});
  addTimedFault(menu, QStringLiteral("diskErrors"), tr("Disk errors"), sim::DiskErrors{n, true});
  menu->addSeparator();
  addTimedFault(menu, QStringLiteral("cpuBurn"), tr("CPU burn (10 ms per frame)"),
                sim::CpuBurn{n, 10'000});
  addTimedFault(menu, QStringLiteral("memoryPressure"), tr("Memory pressure (64 KiB per shard)"),
                sim::MemoryPressure{n, 64 * 1024});
  addTimedFault(menu, QStringLiteral("clog"), tr("Clog links (+50 ms)"), sim::ClogNode{n, 50'000});
  addDurationMenu(menu);
  return menu;
}

QMenu* TopologyView::menuForSelection() {
  const std::vector<int> selected = selectedNodes();
  std::vector<std::uint32_t> side_a, side_b;
  QStringList names;
  for (int i = 0; i < nodeCount(); ++i) {
    const bool in = std::find(selected.begin(), selected.end(), i) != selected.end();
    (in ? side_a : side_b).push_back(static_cast<std::uint32_t>(i));
    if (in) names << nodeName(i);
  }
  QMenu* menu = newMenu(
      tr("Selected: %1").arg(names.isEmpty() ? tr("none") : names.join(QStringLiteral(", "))));
  menu->setObjectName(QStringLiteral("selectionMenu"));
  addTimedFault(menu, QStringLiteral("partitionSelected"), tr("Partition selected from the rest"),
                sim::Partition{side_a, side_b, false})
      ->setEnabled(!side_a.empty() && !side_b.empty());
  const bool two = selected.size() == 2;
  const int a = two ? selected[0] : 0, b = two ? selected[1] : 1;
  addTimedFault(
      menu, QStringLiteral("partitionPair"), tr("Partition these two"),
      sim::Partition{{static_cast<std::uint32_t>(a)}, {static_cast<std::uint32_t>(b)}, false})
      ->setEnabled(two);
  addPairActions(menu, a, b, two);
  menu->addSeparator();
  std::vector<std::uint32_t> live;
  for (int i : selected) {
    if (nodeAlive(i)) live.push_back(static_cast<std::uint32_t>(i));
  }
  QAction* kill = menu->addAction(tr("Kill selected"));
  kill->setObjectName(QStringLiteral("killSelected"));
  kill->setEnabled(!live.empty());
  connect(kill, &QAction::triggered, this, [this, live] {
    for (auto n : live) apply(sim::KillNode{n}, durationOf(duration_));
  });
  addDurationMenu(menu);
  return menu;
}

QMenu* TopologyView::menuForLink(int a, int b) {
  if (a > b) std::swap(a, b);
  const auto ua = static_cast<std::uint32_t>(a), ub = static_cast<std::uint32_t>(b);
  QMenu* menu = newMenu(tr("Link %1 ↔ %2").arg(nodeName(a), nodeName(b)));
  menu->setObjectName(QStringLiteral("linkMenu"));
  addTimedFault(menu, QStringLiteral("partitionLink"), tr("Partition (two-way)"),
                sim::Partition{{ua}, {ub}, false});
  addPairActions(menu, a, b, true);
  QAction* clog = menu->addAction(tr("Clog both ends (+50 ms)"));
  clog->setObjectName(QStringLiteral("clogLink"));
  connect(clog, &QAction::triggered, this, [this, ua, ub] {
    apply(sim::ClogNode{ua, 50'000}, durationOf(duration_));
    apply(sim::ClogNode{ub, 50'000}, durationOf(duration_));
  });
  menu->addSeparator();
  addFault(menu, QStringLiteral("heal"), tr("Heal partitions"), sim::Heal{}, {});
  addDurationMenu(menu);
  return menu;
}

QMenu* TopologyView::menuForBackground() {
  QMenu* menu = newMenu(tr("Cluster"));
  menu->setObjectName(QStringLiteral("backgroundMenu"));
  addFault(menu, QStringLiteral("heal"), tr("Heal partitions"), sim::Heal{}, {});
  QAction* recover = menu->addAction(tr("Recover all"));
  recover->setObjectName(QStringLiteral("recoverAll"));
  connect(recover, &QAction::triggered, this, [this] {
    if (source_) source_->recoverAll();
  });
  return menu;
}

}  // namespace iris::ui
