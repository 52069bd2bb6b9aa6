#include "core/geometry/NeighborSearch.h"

#include "core/common/Error.h"
#include "core/geometry/ParallelFor.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <utility>

namespace s4 {

namespace {

// Queries between two looks at the cancel flag: frequent enough to stop a 10M-point search within a
// fraction of a second, rare enough to cost nothing.
constexpr std::size_t kCancelCheckInterval = 4096;

struct Candidate {
    float d2;
    std::int32_t index;
};

// Lexicographic (distance, index): the order a brute-force sort gives, so results are unique.
inline bool closer(const Candidate& a, const Candidate& b) {
    return a.d2 < b.d2 || (a.d2 == b.d2 && a.index < b.index);
}

bool finite(const Eigen::Vector3f& p) { return std::isfinite(p.x()) && std::isfinite(p.y()) && std::isfinite(p.z()); }

// Squared distance from q to an axis-aligned box, summed in the same order as squaredDistance(), so that
// it never exceeds the (rounded) squared distance of any point inside the box.
inline float boxSqDistance(const float* lo, const float* hi, const Eigen::Vector3f& q) {
    float g[3];
    for (int a = 0; a < 3; ++a) {
        const float v = q[a];
        g[a] = v < lo[a] ? lo[a] - v : (v > hi[a] ? v - hi[a] : 0.0f);
    }
    return g[0] * g[0] + g[1] * g[1] + g[2] * g[2];
}

// A bounded max-heap of the k best candidates seen so far (worst on top).
class KBest {
public:
    explicit KBest(int k) : k_(k) { heap_.reserve(static_cast<std::size_t>(k)); }
    bool full() const { return static_cast<int>(heap_.size()) == k_; }
    // Candidates strictly farther than this cannot enter; equal ones may (smaller index wins).
    float bound() const { return full() ? heap_.front().d2 : std::numeric_limits<float>::infinity(); }
    void offer(Candidate c) {
        if (!full()) {
            heap_.push_back(c);
            std::push_heap(heap_.begin(), heap_.end(), closer);
        } else if (closer(c, heap_.front())) {
            std::pop_heap(heap_.begin(), heap_.end(), closer);
            heap_.back() = c;
            std::push_heap(heap_.begin(), heap_.end(), closer);
        }
    }
    std::vector<Candidate>& sorted() {
        std::sort_heap(heap_.begin(), heap_.end(), closer);
        return heap_;
    }

private:
    int k_;
    std::vector<Candidate> heap_;
};

void checkK(int k) {
    if (k < 0) throw InvalidArgument("neighbour search: k must not be negative (got " + std::to_string(k) + ")");
}

} // namespace

KdTree::KdTree(const std::vector<Eigen::Vector3f>& points, int leafSize) {
    if (points.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
        throw InvalidArgument("kd-tree: " + std::to_string(points.size()) + " points exceed the 2^31 - 1 limit");
    for (std::size_t i = 0; i < points.size(); ++i)
        if (!finite(points[i]))
            throw InvalidArgument("kd-tree: point " + std::to_string(i) + " has a non-finite coordinate");
    points_ = points;
    original_.resize(points.size());
    std::iota(original_.begin(), original_.end(), 0);
    if (points.empty()) return;
    nodes_.reserve(2 * (points.size() / static_cast<std::size_t>(std::max(1, leafSize)) + 1));
    build(0, static_cast<std::int32_t>(points.size()), std::max(1, leafSize));
}

std::int32_t KdTree::build(std::int32_t begin, std::int32_t end, int leafSize) {
    Node node{};
    Eigen::Vector3f lo = points_[static_cast<std::size_t>(begin)], hi = lo;
    for (std::int32_t i = begin + 1; i < end; ++i) {
        lo = lo.cwiseMin(points_[static_cast<std::size_t>(i)]);
        hi = hi.cwiseMax(points_[static_cast<std::size_t>(i)]);
    }
    for (int a = 0; a < 3; ++a) {
        node.lo[a] = lo[a];
        node.hi[a] = hi[a];
    }
    node.begin = begin;
    node.end = end;
    node.left = node.right = -1;
    const std::int32_t self = static_cast<std::int32_t>(nodes_.size());
    nodes_.push_back(node);
    if (end - begin <= leafSize) return self;

    int axis = 0;
    const Eigen::Vector3f extent = hi - lo;
    if (extent[1] > extent[axis]) axis = 1;
    if (extent[2] > extent[axis]) axis = 2;
    const std::int32_t mid = begin + (end - begin) / 2;
    // Sort a permutation of the slots, then apply it to both arrays, so points and indices stay paired.
    std::vector<std::int32_t> perm(static_cast<std::size_t>(end - begin));
    std::iota(perm.begin(), perm.end(), begin);
    std::nth_element(perm.begin(), perm.begin() + (mid - begin), perm.end(), [&](std::int32_t a, std::int32_t b) {
        return points_[static_cast<std::size_t>(a)][axis] < points_[static_cast<std::size_t>(b)][axis];
    });
    std::vector<Eigen::Vector3f> p(perm.size());
    std::vector<std::int32_t> o(perm.size());
    for (std::size_t i = 0; i < perm.size(); ++i) {
        p[i] = points_[static_cast<std::size_t>(perm[i])];
        o[i] = original_[static_cast<std::size_t>(perm[i])];
    }
    std::copy(p.begin(), p.end(), points_.begin() + begin);
    std::copy(o.begin(), o.end(), original_.begin() + begin);

    const std::int32_t left = build(begin, mid, leafSize);
    const std::int32_t right = build(mid, end, leafSize);
    nodes_[static_cast<std::size_t>(self)].left = left;
    nodes_[static_cast<std::size_t>(self)].right = right;
    return self;
}

int KdTree::knn(const Eigen::Vector3f& query, int k, std::int32_t* indices, float* sqDistances) const {
    checkK(k);
    // Every distance to a NaN query is NaN, so no point would qualify and the k results would be unset.
    if (!finite(query)) throw InvalidArgument("neighbour search: the query point has a non-finite coordinate");
    const int want = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(k), points_.size()));
    if (want == 0) return 0;
    KBest best(want);
    // Depth-first, nearer child first; a subtree is skipped only when its box is strictly farther than the
    // current k-th best, so equidistant points with smaller indices are still found.
    std::int32_t stack[128];
    float stackDist[128];
    int top = 0;
    stack[top] = 0;
    stackDist[top++] = 0.0f;
    while (top > 0) {
        --top;
        if (stackDist[top] > best.bound()) continue;
        const Node& n = nodes_[static_cast<std::size_t>(stack[top])];
        if (n.left < 0) {
            for (std::int32_t i = n.begin; i < n.end; ++i) {
                const float d2 = squaredDistance(points_[static_cast<std::size_t>(i)], query);
                if (d2 <= best.bound()) best.offer({d2, original_[static_cast<std::size_t>(i)]});
            }
            continue;
        }
        const Node& l = nodes_[static_cast<std::size_t>(n.left)];
        const Node& r = nodes_[static_cast<std::size_t>(n.right)];
        const float dl = boxSqDistance(l.lo, l.hi, query);
        const float dr = boxSqDistance(r.lo, r.hi, query);
        // Push the farther child first so the nearer one is explored next.
        if (dl <= dr) {
            stack[top] = n.right;
            stackDist[top++] = dr;
            stack[top] = n.left;
            stackDist[top++] = dl;
        } else {
            stack[top] = n.left;
            stackDist[top++] = dl;
            stack[top] = n.right;
            stackDist[top++] = dr;
        }
    }
    const auto& out = best.sorted();
    for (int i = 0; i < want; ++i) {
        indices[i] = out[static_cast<std::size_t>(i)].index;
        sqDistances[i] = out[static_cast<std::size_t>(i)].d2;
    }
    return want;
}

void KdTree::knn(const Eigen::Vector3f& query, int k, std::vector<std::int32_t>& indices,
                 std::vector<float>& sqDistances) const {
    checkK(k);
    const std::size_t want = std::min<std::size_t>(static_cast<std::size_t>(k), points_.size());
    indices.resize(want);
    sqDistances.resize(want);
    if (want > 0) knn(query, k, indices.data(), sqDistances.data());
}

std::int32_t KdTree::nearest(const Eigen::Vector3f& query, float* sqDistance) const {
    std::int32_t index = -1;
    float d2 = std::numeric_limits<float>::infinity();
    if (!points_.empty()) knn(query, 1, &index, &d2);
    if (sqDistance) *sqDistance = d2;
    return index;
}

void KdTree::radius(const Eigen::Vector3f& query, float radius, std::vector<std::int32_t>& indices,
                    std::vector<float>& sqDistances) const {
    indices.clear();
    sqDistances.clear();
    if (points_.empty() || !(radius >= 0.0f)) return;
    const float r2 = radius * radius;
    std::vector<Candidate> found;
    std::int32_t stack[128];
    int top = 0;
    stack[top++] = 0;
    while (top > 0) {
        const Node& n = nodes_[static_cast<std::size_t>(stack[--top])];
        if (boxSqDistance(n.lo, n.hi, query) > r2) continue;
        if (n.left < 0) {
            for (std::int32_t i = n.begin; i < n.end; ++i) {
                const float d2 = squaredDistance(points_[static_cast<std::size_t>(i)], query);
                if (d2 <= r2) found.push_back({d2, original_[static_cast<std::size_t>(i)]});
            }
            continue;
        }
        stack[top++] = n.left;
        stack[top++] = n.right;
    }
    std::sort(found.begin(), found.end(), closer);
    indices.reserve(found.size());
    sqDistances.reserve(found.size());
    for (const auto& c : found) {
        indices.push_back(c.index);
        sqDistances.push_back(c.d2);
    }
}

NeighborLists knnQuery(const KdTree& tree, const std::vector<Eigen::Vector3f>& queries, int k, int threads,
                       const Progress& progress) {
    checkK(k);
    for (std::size_t i = 0; i < queries.size(); ++i)
        if (!finite(queries[i]))
            throw InvalidArgument("neighbour search: query " + std::to_string(i) + " has a non-finite coordinate");
    NeighborLists out;
    out.queries = queries.size();
    out.k = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(k), tree.size()));
    const std::size_t kk = static_cast<std::size_t>(out.k);
    out.indices.resize(out.queries * kk);
    out.sqDistances.resize(out.queries * kk);
    if (kk == 0) return out;
    parallelFor(queries.size(), threads, [&](std::size_t b, std::size_t e) {
        for (std::size_t q = b; q < e; ++q) {
            if ((q - b) % kCancelCheckInterval == 0) progress.check();
            tree.knn(queries[q], out.k, out.indices.data() + q * kk, out.sqDistances.data() + q * kk);
        }
    });
    return out;
}

NeighborLists knnAll(const std::vector<Eigen::Vector3f>& points, int k, SelfMatch self, int threads,
                     const Progress& progress) {
    checkK(k);
    const KdTree tree(points);
    progress.check();
    if (self == SelfMatch::Include) return knnQuery(tree, points, k, threads, progress);

    NeighborLists out;
    out.queries = points.size();
    const std::size_t others = points.empty() ? 0 : points.size() - 1;
    out.k = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(k), others));
    const std::size_t kk = static_cast<std::size_t>(out.k);
    out.indices.resize(out.queries * kk);
    out.sqDistances.resize(out.queries * kk);
    if (kk == 0) return out;
    parallelFor(points.size(), threads, [&](std::size_t b, std::size_t e) {
        std::vector<std::int32_t> idx(kk + 1);
        std::vector<float> d2(kk + 1);
        for (std::size_t q = b; q < e; ++q) {
            if ((q - b) % kCancelCheckInterval == 0) progress.check();
            tree.knn(points[q], out.k + 1, idx.data(), d2.data());
            // Drop the query itself; if duplicates pushed it out of the k + 1, drop the farthest instead.
            std::size_t skip = kk;
            for (std::size_t j = 0; j <= kk; ++j)
                if (idx[j] == static_cast<std::int32_t>(q)) {
                    skip = j;
                    break;
                }
            std::int32_t* oi = out.indices.data() + q * kk;
            float* od = out.sqDistances.data() + q * kk;
            for (std::size_t j = 0, w = 0; j <= kk; ++j) {
                if (j == skip) continue;
                oi[w] = idx[j];
                od[w] = d2[j];
                ++w;
            }
        }
    });
    return out;
}

} // namespace s4
