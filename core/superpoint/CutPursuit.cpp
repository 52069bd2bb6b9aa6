#include "core/superpoint/CutPursuit.h"

#include "core/common/Error.h"
#include "core/common/Log.h"
#include "core/geometry/ParallelFor.h"
#include "core/superpoint/BinaryGraphCut.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <memory>
#include <queue>
#include <string>
#include <unordered_map>

namespace s4 {

namespace {

class CutPursuitSolver {
public:
    CutPursuitSolver(const WeightedGraph& graph, std::span<const float> features, std::size_t dim,
                     std::span<const float> nodeWeights, const CutPursuitParams& params)
        : graph_(graph),
          f_(features.data()),
          n_(graph.vertexCount),
          d_(dim),
          params_(params),
          rho_(params.regularization) {
        weight_.assign(n_, 1.0);
        for (std::size_t i = 0; i < nodeWeights.size(); ++i) weight_[i] = nodeWeights[i];
    }

    CutPursuitResult run(const Progress& progress) {
        CutPursuitResult result;
        // Start: one component per connected component of the graph.
        std::vector<std::int64_t> key(n_, 0);
        componentCount_ = connectedComponentsByKey(graph_, key, component_);
        saturated_.assign(componentCount_, 0);
        updateStatistics();
        double energy = totalEnergy();
        result.energyTrace.push_back(energy);

        for (int it = 0; it < params_.maxIterations; ++it) {
            progress.check();
            progress.report(double(it) / params_.maxIterations);
            const bool split = splitStep();
            const std::size_t merges = params_.merge && split ? mergeStep() : 0;
            const double next = totalEnergy();
            result.energyTrace.push_back(next);
            result.iterations = it + 1;
            logger("superpoint")
                ->debug("cut pursuit iteration {}: {} components, {} merges, energy {:.6g}", it + 1,
                        componentCount_, merges, next);
            if (!split || energy - next <= params_.tolerance * energy) {
                result.converged = true;
                break;
            }
            energy = next;
        }
        progress.report(1.0);
        result.component = std::move(component_);
        result.componentCount = componentCount_;
        result.values.resize(componentCount_ * d_);
        for (std::size_t k = 0; k < result.values.size(); ++k) result.values[k] = float(mean_[k]);
        return result;
    }

private:
    const float* feature(std::size_t i) const { return f_ + i * d_; }

    double squaredDistance(std::size_t i, const double* value) const {
        const float* x = feature(i);
        double s = 0.0;
        for (std::size_t k = 0; k < d_; ++k) {
            const double t = double(x[k]) - value[k];
            s += t * t;
        }
        return s;
    }

    // Weighted mean and total weight of every component.
    void updateStatistics() {
        mean_.assign(componentCount_ * d_, 0.0);
        mass_.assign(componentCount_, 0.0);
        for (std::size_t i = 0; i < n_; ++i) {
            const std::size_t c = std::size_t(component_[i]);
            mass_[c] += weight_[i];
            for (std::size_t k = 0; k < d_; ++k) mean_[c * d_ + k] += weight_[i] * feature(i)[k];
        }
        for (std::size_t c = 0; c < componentCount_; ++c)
            for (std::size_t k = 0; k < d_; ++k) mean_[c * d_ + k] /= mass_[c];
    }

    double totalEnergy() const {
        double e = 0.0;
        for (std::size_t i = 0; i < n_; ++i)
            e += weight_[i] * squaredDistance(i, &mean_[std::size_t(component_[i]) * d_]);
        for (std::size_t k = 0; k < graph_.edgeCount(); ++k)
            if (component_[graph_.edgeSource[k]] != component_[graph_.edgeTarget[k]])
                e += rho_ * graph_.edgeWeight[k];
        return e;
    }

    // Weighted means of the two sides of every active component (a side with no vertex keeps the
    // component mean, which makes it useless to the cut).
    void sideMeans(const std::vector<std::uint8_t>& active, const std::vector<std::uint8_t>& side,
                   std::vector<double>& center, std::vector<double>& sideMass) const {
        center.assign(componentCount_ * 2 * d_, 0.0);
        sideMass.assign(componentCount_ * 2, 0.0);
        for (std::size_t i = 0; i < n_; ++i) {
            const std::size_t c = std::size_t(component_[i]);
            if (!active[c]) continue;
            const std::size_t s = c * 2 + side[i];
            sideMass[s] += weight_[i];
            for (std::size_t k = 0; k < d_; ++k) center[s * d_ + k] += weight_[i] * feature(i)[k];
        }
        for (std::size_t s = 0; s < componentCount_ * 2; ++s) {
            if (!active[s / 2]) continue;
            for (std::size_t k = 0; k < d_; ++k)
                center[s * d_ + k] =
                    sideMass[s] > 0.0 ? center[s * d_ + k] / sideMass[s] : mean_[(s / 2) * d_ + k];
        }
    }

    // Initial binary labelling of component c (members given): sign of the projection of the
    // residuals on their principal direction, refined by a few 2-means iterations. Returns false
    // when the component is constant (nothing to split).
    bool initialiseSides(std::size_t c, std::span<const std::uint32_t> members,
                         std::vector<std::uint8_t>& side) {
        const double* mu = &mean_[c * d_];
        Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(Eigen::Index(d_), Eigen::Index(d_));
        Eigen::VectorXd r = Eigen::VectorXd::Zero(Eigen::Index(d_));
        Eigen::VectorXd start = Eigen::VectorXd::Zero(Eigen::Index(d_));
        double largest = -1.0;
        for (std::uint32_t i : members) {
            for (std::size_t k = 0; k < d_; ++k) r[Eigen::Index(k)] = double(feature(i)[k]) - mu[k];
            cov.noalias() += weight_[i] * r * r.transpose();
            const double norm = r.squaredNorm();
            if (norm > largest) {
                largest = norm;
                start = r;
            }
        }
        if (cov.trace() <= 1e-12 * mass_[c]) return false;
        // Power iteration from the largest residual: deterministic and never orthogonal to the
        // dominant direction in practice.
        Eigen::VectorXd v = start.normalized();
        for (int k = 0; k < 30; ++k) {
            Eigen::VectorXd next = cov * v;
            const double norm = next.norm();
            if (norm <= 0.0) break;
            v = next / norm;
        }
        for (std::uint32_t i : members) {
            double p = 0.0;
            for (std::size_t k = 0; k < d_; ++k) p += (double(feature(i)[k]) - mu[k]) * v[Eigen::Index(k)];
            side[i] = p > 0.0 ? 1 : 0;
        }
        std::vector<double> h(2 * d_);
        for (int it = 0; it < params_.kmeansIterations; ++it) {
            std::fill(h.begin(), h.end(), 0.0);
            double m[2] = {0.0, 0.0};
            for (std::uint32_t i : members) {
                m[side[i]] += weight_[i];
                for (std::size_t k = 0; k < d_; ++k) h[side[i] * d_ + k] += weight_[i] * feature(i)[k];
            }
            if (m[0] <= 0.0 || m[1] <= 0.0) break;
            for (std::size_t k = 0; k < d_; ++k) {
                h[k] /= m[0];
                h[d_ + k] /= m[1];
            }
            for (std::uint32_t i : members)
                side[i] = squaredDistance(i, &h[d_]) < squaredDistance(i, &h[0]) ? 1 : 0;
        }
        return true;
    }

    // One split round over every non-saturated component; returns true if any component split.
    bool splitStep() {
        // Members of each component, contiguous.
        std::vector<std::uint32_t> start(componentCount_ + 1, 0), members(n_);
        for (std::size_t i = 0; i < n_; ++i) ++start[std::size_t(component_[i]) + 1];
        for (std::size_t c = 0; c < componentCount_; ++c) start[c + 1] += start[c];
        {
            std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
            for (std::size_t i = 0; i < n_; ++i)
                members[fill[std::size_t(component_[i])]++] = std::uint32_t(i);
        }
        std::vector<std::uint8_t> side(n_, 0), active(componentCount_, 0);
        bool anyActive = false;
        for (std::size_t c = 0; c < componentCount_; ++c) {
            if (saturated_[c]) continue;
            std::span<const std::uint32_t> mem(members.data() + start[c], start[c + 1] - start[c]);
            if (mem.size() < 2 || !initialiseSides(c, mem, side)) {
                saturated_[c] = 1;
                continue;
            }
            active[c] = 1;
            anyActive = true;
        }
        if (!anyActive) return false;

        // The flow graph holds only the vertices of active components and the edges inside them, so late
        // iterations, where most components are saturated, cost little. Components are independent, so
        // they are dealt into one flow graph per thread (contiguous runs of components of about equal
        // vertex counts) and the max-flows run in parallel; the result does not depend on the grouping.
        std::size_t activeTotal = 0;
        for (std::size_t c = 0; c < componentCount_; ++c)
            if (active[c]) activeTotal += start[c + 1] - start[c];
        const std::size_t groups = std::max<std::size_t>(
            1,
            std::min<std::size_t>(std::size_t(resolveThreadCount(params_.threads)), activeTotal / 4096 + 1));
        std::vector<std::uint32_t> groupOf(componentCount_, 0);
        {
            std::size_t seen = 0;
            for (std::size_t c = 0; c < componentCount_; ++c)
                if (active[c]) {
                    groupOf[c] = std::uint32_t(std::min(groups - 1, seen * groups / activeTotal));
                    seen += start[c + 1] - start[c];
                }
        }
        struct FlowGroup {
            std::vector<std::uint32_t> vertices, source, target;
            std::vector<double> edgeCost, cost0, cost1;
            std::unique_ptr<BinaryGraphCut> cut;
        };
        // Exact sizes first, so no list grows past what it holds.
        std::vector<FlowGroup> group(groups);
        {
            std::vector<std::size_t> vertexCount(groups, 0), edgeCount(groups, 0);
            for (std::size_t c = 0; c < componentCount_; ++c)
                if (active[c]) vertexCount[groupOf[c]] += start[c + 1] - start[c];
            for (std::size_t e = 0; e < graph_.edgeCount(); ++e) {
                const auto cu = std::size_t(component_[graph_.edgeSource[e]]);
                if (cu == std::size_t(component_[graph_.edgeTarget[e]]) && active[cu])
                    ++edgeCount[groupOf[cu]];
            }
            for (std::size_t k = 0; k < groups; ++k) {
                group[k].vertices.reserve(vertexCount[k]);
                group[k].source.reserve(edgeCount[k]);
                group[k].target.reserve(edgeCount[k]);
                group[k].edgeCost.reserve(edgeCount[k]);
            }
        }
        {
            std::vector<std::uint32_t> local(n_, UINT32_MAX);
            for (std::size_t c = 0; c < componentCount_; ++c)
                if (active[c])
                    for (std::uint32_t k = start[c]; k < start[c + 1]; ++k) {
                        auto& g = group[groupOf[c]];
                        local[members[k]] = std::uint32_t(g.vertices.size());
                        g.vertices.push_back(members[k]);
                    }
            for (std::size_t e = 0; e < graph_.edgeCount(); ++e) {
                const auto u = graph_.edgeSource[e], v = graph_.edgeTarget[e];
                const auto cu = std::size_t(component_[u]);
                if (cu == std::size_t(component_[v]) && active[cu]) {
                    auto& g = group[groupOf[cu]];
                    g.source.push_back(local[u]);
                    g.target.push_back(local[v]);
                    g.edgeCost.push_back(rho_ * graph_.edgeWeight[e]);
                }
            }
        }
        std::vector<std::uint32_t>().swap(members);
        std::vector<std::uint32_t>().swap(groupOf);
        std::vector<double> center, sideMass;
        auto solveGroup = [&](FlowGroup& g) {
            if (!g.cut) {
                g.cut = std::make_unique<BinaryGraphCut>(g.vertices.size(), g.source, g.target);
                std::vector<std::uint32_t>().swap(g.source);  // the cut keeps its own arc tables
                std::vector<std::uint32_t>().swap(g.target);
                g.cost0.resize(g.vertices.size());
                g.cost1.resize(g.vertices.size());
            }
            for (std::size_t a = 0; a < g.vertices.size(); ++a) {
                const std::size_t i = g.vertices[a];
                const std::size_t c = std::size_t(component_[i]);
                g.cost0[a] = weight_[i] * squaredDistance(i, &center[(c * 2 + 0) * d_]);
                g.cost1[a] = weight_[i] * squaredDistance(i, &center[(c * 2 + 1) * d_]);
            }
            g.cut->solve(g.cost0, g.cost1, g.edgeCost);
            const auto& labels = g.cut->labels();
            for (std::size_t a = 0; a < g.vertices.size(); ++a) side[g.vertices[a]] = labels[a];
        };
        for (int step = 0; step < params_.flowSteps; ++step) {
            sideMeans(active, side, center, sideMass);
            parallelFor(
                groups, int(groups),
                [&](std::size_t begin, std::size_t end) {
                    for (std::size_t k = begin; k < end; ++k) solveGroup(group[k]);
                },
                1);
        }
        std::vector<FlowGroup>().swap(group);  // the flow graphs are done with: free them before the tallies

        // Keep a split only if it lowers the component's energy. The side means bound the energy of
        // the final pieces from above (each piece is a connected part of a side and gets its own mean).
        sideMeans(active, side, center, sideMass);
        std::vector<double> before(componentCount_, 0.0), after(componentCount_, 0.0);
        for (std::size_t i = 0; i < n_; ++i) {
            const std::size_t c = std::size_t(component_[i]);
            if (!active[c]) continue;
            before[c] += weight_[i] * squaredDistance(i, &mean_[c * d_]);
            after[c] += weight_[i] * squaredDistance(i, &center[(c * 2 + side[i]) * d_]);
        }
        for (std::size_t e = 0; e < graph_.edgeCount(); ++e) {
            const auto u = graph_.edgeSource[e], v = graph_.edgeTarget[e];
            const auto c = std::size_t(component_[u]);
            if (c == std::size_t(component_[v]) && active[c] && side[u] != side[v])
                after[c] += rho_ * graph_.edgeWeight[e];
        }
        std::vector<std::uint8_t> accepted(componentCount_, 0);
        bool anySplit = false;
        for (std::size_t c = 0; c < componentCount_; ++c) {
            if (!active[c]) continue;
            if (sideMass[c * 2] > 0.0 && sideMass[c * 2 + 1] > 0.0 && after[c] < before[c] * (1.0 - 1e-9)) {
                accepted[c] = 1;
                anySplit = true;
            } else {
                saturated_[c] = 1;
            }
        }
        if (!anySplit) return false;

        // New components: connected parts of (old component, side).
        std::vector<std::int64_t> key(n_);
        for (std::size_t i = 0; i < n_; ++i) {
            const auto c = std::size_t(component_[i]);
            key[i] = std::int64_t(c) * 2 + (accepted[c] ? side[i] : 0);
        }
        std::vector<std::int32_t> next;
        const std::size_t nextCount = connectedComponentsByKey(graph_, key, next);
        std::vector<std::uint8_t> nextSaturated(nextCount, 0);
        for (std::size_t i = 0; i < n_; ++i) {
            const auto c = std::size_t(component_[i]);
            nextSaturated[std::size_t(next[i])] = saturated_[c] && !accepted[c];
        }
        component_ = std::move(next);
        componentCount_ = nextCount;
        saturated_ = std::move(nextSaturated);
        updateStatistics();
        return true;
    }

    struct MergeCandidate {
        double gain;
        std::int32_t a, b;
        std::uint32_t versionA, versionB;
        bool operator<(const MergeCandidate& o) const {  // priority_queue pops the largest
            if (gain != o.gain) return gain < o.gain;
            if (a != o.a) return a > o.a;
            return b > o.b;
        }
    };

    // Greedy merge of adjacent components while a merge lowers E; returns the number of merges.
    std::size_t mergeStep() {
        const std::size_t s = componentCount_;
        std::vector<std::unordered_map<std::int32_t, double>> shared(s);  // weight between components
        for (std::size_t e = 0; e < graph_.edgeCount(); ++e) {
            const auto a = component_[graph_.edgeSource[e]], b = component_[graph_.edgeTarget[e]];
            if (a != b) {
                shared[std::size_t(a)][b] += graph_.edgeWeight[e];
                shared[std::size_t(b)][a] += graph_.edgeWeight[e];
            }
        }
        std::vector<double> mass = mass_, mean = mean_;
        std::vector<std::uint32_t> version(s, 0);
        std::vector<std::int32_t> parent(s);
        for (std::size_t c = 0; c < s; ++c) parent[c] = std::int32_t(c);

        auto gain = [&](std::int32_t a, std::int32_t b, double w) {
            double dist = 0.0;
            for (std::size_t k = 0; k < d_; ++k) {
                const double t = mean[std::size_t(a) * d_ + k] - mean[std::size_t(b) * d_ + k];
                dist += t * t;
            }
            const double ma = mass[std::size_t(a)], mb = mass[std::size_t(b)];
            return rho_ * w - ma * mb / (ma + mb) * dist;
        };
        std::priority_queue<MergeCandidate> queue;
        auto consider = [&](std::int32_t a, std::int32_t b, double w) {
            const double g = gain(a, b, w);
            if (g > 0.0) {
                if (a > b) std::swap(a, b);
                queue.push({g, a, b, version[std::size_t(a)], version[std::size_t(b)]});
            }
        };
        for (std::size_t a = 0; a < s; ++a)
            for (const auto& [b, w] : shared[a])
                if (std::int32_t(a) < b) consider(std::int32_t(a), b, w);

        std::size_t merges = 0;
        while (!queue.empty()) {
            const MergeCandidate m = queue.top();
            queue.pop();
            if (parent[std::size_t(m.a)] != m.a || parent[std::size_t(m.b)] != m.b ||
                version[std::size_t(m.a)] != m.versionA || version[std::size_t(m.b)] != m.versionB)
                continue;
            // Fold the component with fewer neighbours into the other.
            std::int32_t keep = m.a, gone = m.b;
            if (shared[std::size_t(gone)].size() > shared[std::size_t(keep)].size()) std::swap(keep, gone);
            const auto k = std::size_t(keep), g = std::size_t(gone);
            const double total = mass[k] + mass[g];
            for (std::size_t j = 0; j < d_; ++j)
                mean[k * d_ + j] = (mass[k] * mean[k * d_ + j] + mass[g] * mean[g * d_ + j]) / total;
            mass[k] = total;
            for (const auto& [other, w] : shared[g]) {
                if (other == keep) continue;
                auto& otherMap = shared[std::size_t(other)];
                otherMap.erase(gone);
                otherMap[keep] += w;
                shared[k][other] += w;
            }
            shared[k].erase(gone);
            shared[g].clear();
            parent[g] = keep;
            ++version[k];
            ++version[g];
            ++merges;
            for (const auto& [other, w] : shared[k]) consider(keep, other, w);
        }
        if (merges == 0) return 0;

        auto root = [&](std::int32_t c) {
            while (parent[std::size_t(c)] != c) c = parent[std::size_t(c)];
            return c;
        };
        std::vector<std::uint8_t> wasMerged(s, 0);
        for (std::size_t c = 0; c < s; ++c)
            if (version[c] > 0 && parent[c] == std::int32_t(c)) wasMerged[c] = 1;
        std::vector<std::int32_t> merged(n_);
        for (std::size_t i = 0; i < n_; ++i) merged[i] = root(component_[i]);
        std::vector<std::int32_t> renumbered = merged;
        componentCount_ = relabelByFirstVertex(renumbered);
        std::vector<std::uint8_t> nextSaturated(componentCount_, 0);
        for (std::size_t i = 0; i < n_; ++i) {
            const auto old = std::size_t(merged[i]);
            // A merged component has a new value and may split differently: unsaturate it.
            nextSaturated[std::size_t(renumbered[i])] = !wasMerged[old] && saturated_[old];
        }
        component_ = std::move(renumbered);
        saturated_ = std::move(nextSaturated);
        updateStatistics();
        return merges;
    }

    const WeightedGraph& graph_;
    const float* f_;
    std::size_t n_, d_;
    CutPursuitParams params_;
    double rho_;
    std::vector<double> weight_;
    std::vector<std::int32_t> component_;
    std::size_t componentCount_ = 0;
    std::vector<double> mean_, mass_;
    std::vector<std::uint8_t> saturated_;
};

}  // namespace

CutPursuitResult cutPursuit(const WeightedGraph& graph, std::span<const float> features, std::size_t dim,
                            std::span<const float> nodeWeights, const CutPursuitParams& params,
                            const Progress& progress) {
    graph.validate();
    const std::size_t n = graph.vertexCount;
    if (dim == 0) throw InvalidArgument("cut pursuit: feature dimension must be at least 1");
    if (features.size() != n * dim)
        throw InvalidArgument("cut pursuit: expected " + std::to_string(n) + " × " + std::to_string(dim) +
                              " feature values, got " + std::to_string(features.size()));
    for (std::size_t k = 0; k < features.size(); ++k)
        if (!std::isfinite(features[k]))
            throw InvalidArgument("cut pursuit: feature " + std::to_string(k % dim) + " of vertex " +
                                  std::to_string(k / dim) + " is not finite");
    if (!nodeWeights.empty()) {
        if (nodeWeights.size() != n)
            throw InvalidArgument("cut pursuit: expected " + std::to_string(n) + " node weights, got " +
                                  std::to_string(nodeWeights.size()));
        for (std::size_t i = 0; i < n; ++i)
            if (!(nodeWeights[i] > 0.0f) || !std::isfinite(nodeWeights[i]))
                throw InvalidArgument("cut pursuit: weight of vertex " + std::to_string(i) +
                                      " must be positive and finite");
    }
    if (!(params.regularization >= 0.0) || !std::isfinite(params.regularization))
        throw InvalidArgument("cut pursuit: regularization must be a finite value ≥ 0");
    if (params.maxIterations < 0 || params.flowSteps < 1 || params.kmeansIterations < 0 ||
        !(params.tolerance >= 0.0))
        throw InvalidArgument("cut pursuit: iterations and flow steps must be positive, tolerance ≥ 0");
    if (n == 0) return {};
    CutPursuitSolver solver(graph, features, dim, nodeWeights, params);
    return solver.run(progress);
}

}  // namespace s4
