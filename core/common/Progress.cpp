#include "core/common/Progress.h"

#include "core/common/Error.h"

#include <algorithm>

namespace s4 {

Progress::Progress(ReportFn onReport, CancelFn isCancelled)
    : report_(std::move(onReport)), cancelled_(std::move(isCancelled)) {}

void Progress::report(double fraction) const {
    if (report_) report_(begin_ + (end_ - begin_) * std::clamp(fraction, 0.0, 1.0));
}

bool Progress::cancelled() const { return cancelled_ && cancelled_(); }

void Progress::check() const {
    if (cancelled()) throw Cancelled();
}

Progress Progress::sub(double begin, double end) const {
    Progress p = *this;
    p.begin_ = begin_ + (end_ - begin_) * begin;
    p.end_ = begin_ + (end_ - begin_) * end;
    return p;
}

} // namespace s4
