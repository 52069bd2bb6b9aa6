#pragma once
// The small colour square shown beside a class or prompt name (Legend, Prompts class list).

#include "gui/ColorModes.h"

#include <QIcon>

namespace s4::gui {

/// A 14 × 14 icon filled with c, with a faint border so that light colours stay visible.
QIcon colorSwatch(const Rgb8& c);

}  // namespace s4::gui
