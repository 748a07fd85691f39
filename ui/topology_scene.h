#pragma once
// The topology view's scene geometry, colours and drawing helpers. Private to the view (included
// by ui/topology_view.cpp, through its item headers, only).

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
#include "ui/topology_view.h"

#include "ui/topology_view.h"

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
  const QRectF t = p->fontMetrics().boundingRect(QRect(0, 0, 1000, 1000), Qt::AlignCenter, text);
  const QRectF r(at.x() - t.width() / 2 - 5, at.y() - t.height() / 2 - 2, t.width() + 10,
                 t.height() + 4);
  p->setPen(QPen(border, 1));
  p->setBrush(bg);
  p->drawRoundedRect(r, 4, 4);
  p->setPen(fg);
  p->drawText(r, Qt::AlignCenter, text);
}

// kLeft: the node left the cluster (grey, no links).
enum class NodeHealth { kHealthy, kDegraded, kDead, kLeft };

NodeHealth healthOf(const sim::NodeSnapshot& n) {
  if (n.member_state == "left") return NodeHealth::kLeft;
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
    case NodeHealth::kLeft:
      return QColor(0x95, 0xa5, 0xa6);
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

}  // namespace iris::ui
