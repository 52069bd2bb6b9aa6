#pragma once
// A JSON description of a scene: what `s4studio --batch info` prints for each file.

#include "core/scene/Scene.h"

#include <nlohmann/json.hpp>

namespace s4 {

/// {"file", "format", "points", "fields": [{"name","type","components"}], "bbox": {"min","max"},
///  "offset", "faces", "memory_bytes", "dropped_non_finite", "notes", and for each integer
///  single-component attribute among label/instance/superpoint a "<name>_histogram" {"id": count}}.
/// Superpoints and instances are summarised by their number of distinct ids ("<name>_count").
nlohmann::json summarizeScene(const Scene& scene);

} // namespace s4
