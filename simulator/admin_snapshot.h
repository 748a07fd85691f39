#pragma once
// A cluster as real nodes' admin APIs describe it: the documents of GET /v1/snapshot (or
// /v1/stream), one per node reached, merged into the ClusterSnapshot every report and view
// reads. Members come from the nodes' views (the longest member list any of them reports); each
// node's figures from its own document; a member with no document of its own counts as up when
// a node reached has a link up to it. A peer_drop becomes a cut, a peer_delay a degraded link.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "simulator/snapshot.h"

namespace iris::sim {

// Reading admin documents, forgiving of what is missing: a field that is absent or of another
// type reads as an empty object / array, 0 or "".
const boost::json::object& json_object_at(const boost::json::object& o, std::string_view key);
const boost::json::array& json_array_at(const boost::json::object& o, std::string_view key);
double json_number(const boost::json::object& o, std::string_view key);
std::string json_text(const boost::json::object& o, std::string_view key);

ClusterSnapshot merge_admin_documents(const std::vector<boost::json::object>& documents);

// "peer_drop n1 both", "cpu_burn 20%": one /v1/faults entry, for tables and logs.
std::string admin_fault_label(const boost::json::object& fault);

}  // namespace iris::sim
