#pragma once
// Progress reporting and cooperative cancellation for long-running core stages.
// A stage calls report() now and then and check() in its loops; the GUI worker thread and
// `--batch` supply the callbacks. A default-constructed Progress does nothing and never cancels.

#include <atomic>
#include <functional>
#include <memory>

namespace s4 {

class Progress {
public:
    using ReportFn = std::function<void(double fraction)>;
    using CancelFn = std::function<bool()>;

    Progress() = default;
    explicit Progress(ReportFn onReport, CancelFn isCancelled = {});

    /// Reports overall completion in [0, 1] (mapped into this object's sub-range).
    void report(double fraction) const;
    /// True once the user asked to cancel.
    bool cancelled() const;
    /// Throws s4::Cancelled if the user asked to cancel.
    void check() const;
    /// A Progress covering [begin, end] of this one, for a sub-stage.
    Progress sub(double begin, double end) const;

private:
    ReportFn report_;
    CancelFn cancelled_;
    double begin_ = 0.0;
    double end_ = 1.0;
};

/// A cancel flag that can be shared between a UI thread and a worker.
class CancelFlag {
public:
    void cancel() { flag_->store(true); }
    bool isCancelled() const { return flag_->load(); }
    Progress::CancelFn asCallback() const {
        auto f = flag_;
        return [f] { return f->load(); };
    }

private:
    std::shared_ptr<std::atomic<bool>> flag_ = std::make_shared<std::atomic<bool>>(false);
};

} // namespace s4
