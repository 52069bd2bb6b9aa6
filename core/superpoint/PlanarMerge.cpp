#include "core/superpoint/PlanarMerge.h"

#include "core/common/Error.h"
#include "core/common/MappedBuffer.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <queue>
#include <string>

namespace s4 {

namespace {

using PlaneFit = ComponentPlaneFit;

double leastEigenvalue(const double s[6]) {
    Eigen::Matrix3d m;
    m << s[0], s[3], s[4], s[3], s[1], s[5], s[4], s[5], s[2];
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> solver;
    solver.computeDirect(m, Eigen::EigenvaluesOnly);
    return std::max(0.0, solver.eigenvalues()[0]);
}

// The union of a and b (its sse left to the caller).
PlaneFit joined(const PlaneFit& a, const PlaneFit& b) {
    PlaneFit u;
    u.n = a.n + b.n;
    const Eigen::Vector3d d = b.mean - a.mean;
    u.mean = a.mean + d * (b.n / u.n);
    const double w = a.n * b.n / u.n;
    const double outer[6] = {d.x() * d.x(), d.y() * d.y(), d.z() * d.z(),
                             d.x() * d.y(), d.x() * d.z(), d.y() * d.z()};
    for (int k = 0; k < 6; ++k) u.scatter[k] = a.scatter[k] + b.scatter[k] + w * outer[k];
    return u;
}

struct Candidate {
    double cost;
    double points;      // n_a + n_b
    std::int32_t a, b;  // a < b
    std::uint32_t stampA, stampB;
};

// Orders the priority queue so that its top is the cheapest candidate; on equal costs the pair with
// fewer points, then the lower (a, b). Why the size: on a perfect plane with constant features every cost
// is 0, and with ids alone one component would grow piece by piece, every join pushing its whole
// (growing) frontier again — 25 s for 250,000 components; smallest first joins them like a balanced tree.
struct CostlierFirst {
    bool operator()(const Candidate& x, const Candidate& y) const {
        if (x.cost != y.cost) return x.cost > y.cost;
        if (x.points != y.points) return x.points > y.points;
        return x.a != y.a ? x.a > y.a : x.b > y.b;
    }
};

}  // namespace

void checkPlanarMergeParams(const PlanarMergeParams& params) {
    if (!std::isfinite(params.penalty) || params.penalty < 0.0 || !std::isfinite(params.featureWeight) ||
        params.featureWeight < 0.0)
        throw InvalidArgument("planar merge: the penalty λ and the feature weight μ must be finite and ≥ 0");
}

PlanarMergeInput summarisePlanarMergeInput(WeightedGraph&& graph, std::vector<float>&& features, std::size_t dim,
                                           const std::vector<Eigen::Vector3f>& positions, double lengthScale,
                                           std::vector<std::int32_t>& component) {
    graph.validate();  // its rows are walked unchecked below
    const std::size_t n = graph.vertexCount;
    if (component.size() != n || positions.size() != n)
        throw InvalidArgument("planar merge: one label and one position per vertex expected");
    if (features.size() != n * dim)
        throw InvalidArgument("planar merge: N × dim features expected (" + std::to_string(n * dim) + "), got " +
                              std::to_string(features.size()));
    if (!std::isfinite(lengthScale) || lengthScale <= 0.0)
        throw InvalidArgument("planar merge: the length scale must be positive and finite");
    if (std::any_of(component.begin(), component.end(), [](std::int32_t c) { return c < 0; }))
        throw InvalidArgument("planar merge: component labels must be ≥ 0");
    if (std::any_of(positions.begin(), positions.end(), [](const Eigen::Vector3f& p) { return !p.allFinite(); }))
        throw InvalidArgument("planar merge: non-finite position");
    const std::size_t count = relabelByFirstVertex(component);

    PlanarMergeInput in;
    in.dim = dim;
    // Plane fits in two passes (means, then the scatter about them) and feature means; then the features
    // are released.
    const Eigen::Vector3d origin = positions.empty() ? Eigen::Vector3d(Eigen::Vector3d::Zero())
                                                     : Eigen::Vector3d(positions[0].cast<double>());
    auto scaled = [&](std::size_t i) { return Eigen::Vector3d((positions[i].cast<double>() - origin) / lengthScale); };
    in.fit.assign(count, {});
    in.featureMean.assign(count * dim, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        PlaneFit& f = in.fit[std::size_t(component[i])];
        f.n += 1.0;
        f.mean += scaled(i);
        double* m = in.featureMean.data() + std::size_t(component[i]) * dim;
        for (std::size_t k = 0; k < dim; ++k) m[k] += double(features[i * dim + k]);
    }
    std::vector<float>().swap(features);
    for (std::size_t c = 0; c < count; ++c) {
        in.fit[c].mean /= in.fit[c].n;
        for (std::size_t k = 0; k < dim; ++k) in.featureMean[c * dim + k] /= in.fit[c].n;
    }
    for (std::size_t i = 0; i < n; ++i) {
        PlaneFit& f = in.fit[std::size_t(component[i])];
        const Eigen::Vector3d d = scaled(i) - f.mean;
        f.scatter[0] += d.x() * d.x();
        f.scatter[1] += d.y() * d.y();
        f.scatter[2] += d.z() * d.z();
        f.scatter[3] += d.x() * d.y();
        f.scatter[4] += d.x() * d.z();
        f.scatter[5] += d.y() * d.z();
    }
    for (auto& f : in.fit) f.sse = leastEigenvalue(f.scatter);

    // Adjacency (CSR, each list ascending without repeats), gathered a range of components at a time
    // (about an eighth of the edge ends between components each; each range's pass skips the blocks of
    // rows that cannot touch it), so that the raw lists of every edge end (8 bytes per crossing edge) are
    // never all held; then the graph is released.
    in.adjacencyStart.assign(count + 1, 0);
    forEachRangeOfCrossingEnds<std::int32_t>(
        graph, component, count, 8, [](std::int32_t other, std::size_t) { return other; },
        [&](std::size_t lo, std::size_t hi, std::span<const std::uint32_t> first, std::span<std::int32_t> listed) {
            for (std::size_t c = lo; c < hi; ++c) {
                const auto begin = listed.begin() + (first[c] - first[lo]), end = listed.begin() + (first[c + 1] - first[lo]);
                std::sort(begin, end);
                in.adjacencyStart[c] = std::uint32_t(in.adjacency.size());
                for (auto it = begin; it != end; ++it)
                    if (it == begin || *it != *(it - 1)) in.adjacency.push_back(*it);
            }
        });
    in.adjacencyStart[count] = std::uint32_t(in.adjacency.size());
    in.adjacency.shrink_to_fit();
    graph = {};
    return in;
}

std::size_t mergePiecewisePlanar(PlanarMergeInput&& input, std::vector<std::int32_t>& component,
                                 const PlanarMergeParams& params, const Progress& progress, PlanarMergeStats* stats) {
    checkPlanarMergeParams(params);
    if (stats != nullptr) *stats = {};
    PlanarMergeStats done;
    const std::size_t count = input.fit.size(), dim = input.dim;
    bool consistent = input.featureMean.size() == count * dim && input.adjacencyStart.size() == count + 1 &&
                      input.adjacency.size() == input.adjacencyStart[count] &&
                      std::none_of(component.begin(), component.end(),
                                   [&](std::int32_t c) { return c < 0 || std::size_t(c) >= count; });
    // Each list ascending, in range, without the component itself, and every pair listed both ways.
    for (std::size_t c = 0; c < count && consistent; ++c) {
        consistent = input.fit[c].n > 0.0 && input.adjacencyStart[c] <= input.adjacencyStart[c + 1];
        for (std::uint32_t k = input.adjacencyStart[c]; k < input.adjacencyStart[c + 1] && consistent; ++k) {
            const std::int32_t z = input.adjacency[k];
            consistent = z >= 0 && std::size_t(z) < count && std::size_t(z) != c &&
                         (k == input.adjacencyStart[c] || input.adjacency[k - 1] < z);
            if (consistent) {
                const auto begin = input.adjacency.begin() + input.adjacencyStart[std::size_t(z)];
                const auto end = input.adjacency.begin() + input.adjacencyStart[std::size_t(z) + 1];
                consistent = std::binary_search(begin, end, std::int32_t(c));
            }
        }
    }
    if (!consistent) throw InvalidArgument("planar merge: the summary does not match the component labels");
    if (params.penalty == 0.0 || count <= 1) return count;
    progress.check();

    MappedBuffer<PlaneFit> fit = std::move(input.fit);
    MappedBuffer<double> featureMean = std::move(input.featureMean);
    std::vector<std::vector<std::int32_t>> adjacent(count);
    for (std::size_t c = 0; c < count; ++c)
        adjacent[c].assign(input.adjacency.begin() + input.adjacencyStart[c],
                           input.adjacency.begin() + input.adjacencyStart[c + 1]);
    MappedBuffer<std::int32_t>().swap(input.adjacency);
    MappedBuffer<std::uint32_t>().swap(input.adjacencyStart);

    auto cost = [&](std::int32_t a, std::int32_t b) {
        const PlaneFit& fa = fit[std::size_t(a)];
        const PlaneFit& fb = fit[std::size_t(b)];
        const PlaneFit u = joined(fa, fb);
        const double plane = std::max(0.0, leastEigenvalue(u.scatter) - fa.sse - fb.sse);
        double feature = 0.0;
        const double* ma = featureMean.data() + std::size_t(a) * dim;
        const double* mb = featureMean.data() + std::size_t(b) * dim;
        for (std::size_t k = 0; k < dim; ++k) feature += (ma[k] - mb[k]) * (ma[k] - mb[k]);
        return plane + params.featureWeight * (fa.n * fb.n / u.n) * feature;
    };

    // Candidates carry the stamps of their two components; a join bumps the survivor's stamp and pushes
    // its pairs again, so a candidate is current iff both components are alive with the same stamps.
    MappedBuffer<std::uint32_t> stamp(count, 0);
    std::vector<bool> alive(count, true);
    std::priority_queue<Candidate, MappedBuffer<Candidate>, CostlierFirst> queue;
    std::size_t livePairs = 0;
    auto push = [&](std::int32_t a, std::int32_t b) {
        if (a > b) std::swap(a, b);
        queue.push({cost(a, b), fit[std::size_t(a)].n + fit[std::size_t(b)].n, a, b, stamp[std::size_t(a)],
                    stamp[std::size_t(b)]});
    };
    // (Re)builds the queue from the current pairs, in a vector of exactly their number.
    auto rebuild = [&] {
        queue = {};
        livePairs = 0;
        for (std::size_t a = 0; a < count; ++a)
            if (alive[a])
                for (const std::int32_t b : adjacent[a]) livePairs += std::int32_t(a) < b;
        MappedBuffer<Candidate> current;
        current.reserve(livePairs);
        for (std::size_t a = 0; a < count; ++a)
            if (alive[a])
                for (const std::int32_t b : adjacent[a])
                    if (std::int32_t(a) < b)
                        current.push_back({cost(std::int32_t(a), b), fit[a].n + fit[std::size_t(b)].n, std::int32_t(a), b,
                                           stamp[a], stamp[std::size_t(b)]});
        queue = decltype(queue)(CostlierFirst{}, std::move(current));
    };
    rebuild();

    MappedBuffer<std::int32_t> parent(count);
    for (std::size_t c = 0; c < count; ++c) parent[c] = std::int32_t(c);
    std::size_t joins = 0;
    std::vector<std::int32_t> mergedList;
    while (!queue.empty()) {
        const Candidate top = queue.top();
        if (!(top.cost < params.penalty)) break;  // every current candidate costs at least λ
        queue.pop();
        if (!alive[std::size_t(top.a)] || !alive[std::size_t(top.b)] || stamp[std::size_t(top.a)] != top.stampA ||
            stamp[std::size_t(top.b)] != top.stampB)
            continue;
        // The component with the shorter neighbour list is absorbed: fewer lists to rewrite.
        std::int32_t keep = top.a, gone = top.b;
        if (adjacent[std::size_t(keep)].size() < adjacent[std::size_t(gone)].size()) std::swap(keep, gone);
        const auto k = std::size_t(keep), g = std::size_t(gone);
        PlaneFit u = joined(fit[k], fit[g]);
        u.sse = leastEigenvalue(u.scatter);
        for (std::size_t d = 0; d < dim; ++d)
            featureMean[k * dim + d] = (fit[k].n * featureMean[k * dim + d] + fit[g].n * featureMean[g * dim + d]) / u.n;
        fit[k] = u;
        alive[g] = false;
        parent[g] = keep;
        ++stamp[k];

        // Neighbours: keep's list ∪ gone's list without the two; in each of gone's neighbours' lists gone
        // becomes keep.
        livePairs -= adjacent[k].size() + adjacent[g].size() - 1;  // the pair keep–gone is in both
        mergedList.clear();
        std::set_union(adjacent[k].begin(), adjacent[k].end(), adjacent[g].begin(), adjacent[g].end(),
                       std::back_inserter(mergedList));
        std::erase_if(mergedList, [&](std::int32_t c) { return c == keep || c == gone; });
        for (const std::int32_t z : adjacent[g]) {
            if (z == keep) continue;
            auto& list = adjacent[std::size_t(z)];
            list.erase(std::lower_bound(list.begin(), list.end(), gone));
            const auto at = std::lower_bound(list.begin(), list.end(), keep);
            if (at == list.end() || *at != keep) list.insert(at, keep);
        }
        adjacent[k].swap(mergedList);
        std::vector<std::int32_t>().swap(adjacent[g]);
        livePairs += adjacent[k].size();
        for (const std::int32_t z : adjacent[k]) push(keep, z);

        // Stale candidates pile up around components with many neighbours; past a bound the queue is
        // rebuilt from the current pairs, so it stays within a few times their number.
        if (queue.size() > 4 * livePairs + 4096) {
            rebuild();
            ++done.queueRebuilds;
        }
        if (++joins % 1024 == 0) {
            progress.check();
            progress.report(double(joins) / double(count));
        }
    }

    for (auto& c : component) {
        while (parent[std::size_t(c)] != c) {
            parent[std::size_t(c)] = parent[std::size_t(parent[std::size_t(c)])];  // path halving
            c = parent[std::size_t(c)];
        }
    }
    progress.report(1.0);
    done.joins = joins;
    if (stats != nullptr) *stats = done;
    return relabelByFirstVertex(component);
}

std::size_t mergePiecewisePlanar(const WeightedGraph& graph, const std::vector<Eigen::Vector3f>& positions,
                                 std::span<const float> features, std::size_t dim, double lengthScale,
                                 std::vector<std::int32_t>& component, const PlanarMergeParams& params,
                                 const Progress& progress) {
    checkPlanarMergeParams(params);
    PlanarMergeInput input = summarisePlanarMergeInput(WeightedGraph(graph), std::vector<float>(features.begin(), features.end()),
                                                       dim, positions, lengthScale, component);
    return mergePiecewisePlanar(std::move(input), component, params, progress);
}

}  // namespace s4
