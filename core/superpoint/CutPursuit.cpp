#include "core/superpoint/CutPursuit.h"

#include "core/common/Error.h"
#include "core/common/FreedMemory.h"
#include "core/common/Log.h"
#include "core/common/MappedBuffer.h"
#include "core/geometry/ParallelFor.h"
#include "core/superpoint/BinaryGraphCut.h"

#include <Eigen/Core>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <queue>
#include <span>
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
        // Unit weights (the common case) are not stored: weight(i) returns 1, which multiplies exactly.
        weight_.assign(nodeWeights.begin(), nodeWeights.end());
    }

    CutPursuitResult run(const Progress& progress) {
        CutPursuitResult result;
        // Start: one component per connected component of the graph.
        const bool blocked = params_.blockSize > 0;
        if (blocked) {
            componentCount_ = breadthFirstBlocks();
            releaseFreedMemory();  // the adjacency the blocks were grown on
        } else {
            componentCount_ =
                connectedComponentsWhere(graph_, [](std::uint32_t, std::uint32_t) { return true; }, component_);
        }
        saturated_.assign(componentCount_, 0);
        updateStatistics();
        double energy = totalEnergy();
        result.energyTrace.push_back(energy);

        for (int it = 0; it < params_.maxIterations; ++it) {
            progress.check();
            progress.report(double(it) / params_.maxIterations);
            const bool split = splitStep();
            // Blocks are arbitrary cuts of the graph: the first merge step runs even when nothing split,
            // so that blocks of one object join again.
            releaseFreedMemory();  // each step's transient lists: see FreedMemory.h
            const std::size_t merges = params_.merge && (split || (blocked && it == 0)) ? mergeStep() : 0;
            releaseFreedMemory();
            const double next = totalEnergy();
            result.energyTrace.push_back(next);
            result.iterations = it + 1;
            logger("superpoint")
                ->debug("cut pursuit iteration {}: {} components, {} merges, energy {:.6g}", it + 1,
                        componentCount_, merges, next);
            if ((!split && merges == 0) || energy - next <= params_.tolerance * energy) {
                result.converged = true;
                break;
            }
            energy = next;
        }
        progress.report(1.0);
        result.component = std::move(component_);
        result.componentCount = componentCount_;
        result.values = std::move(mean_);
        return result;
    }

private:
    const float* feature(std::size_t i) const { return f_ + i * d_; }
    double weight(std::size_t i) const { return weight_.empty() ? 1.0 : double(weight_[i]); }

    template <typename Value>
    double squaredDistance(std::size_t i, const Value* value) const {
        const float* x = feature(i);
        double s = 0.0;
        for (std::size_t k = 0; k < d_; ++k) {
            const double t = double(x[k]) - double(value[k]);
            s += t * t;
        }
        return s;
    }

    // Weighted mean and total weight of every component. The sums run in double; the means are kept as
    // float (the features' own precision), as they sit beside the merge step's lists at the solver's
    // memory peak (~19 bytes per point on ScanNet with ρ = 0.02).
    void updateStatistics() {
        std::vector<float>().swap(mean_);
        mass_.assign(componentCount_, 0.0);
        MappedBuffer<double> sum(componentCount_ * d_, 0.0);
        for (std::size_t i = 0; i < n_; ++i) {
            const std::size_t c = std::size_t(component_[i]);
            mass_[c] += weight(i);
            for (std::size_t k = 0; k < d_; ++k) sum[c * d_ + k] += weight(i) * feature(i)[k];
        }
        mean_.resize(componentCount_ * d_);
        for (std::size_t c = 0; c < componentCount_; ++c)
            for (std::size_t k = 0; k < d_; ++k) mean_[c * d_ + k] = float(sum[c * d_ + k] / mass_[c]);
    }

    double totalEnergy() const {
        double e = 0.0;
        for (std::size_t i = 0; i < n_; ++i)
            e += weight(i) * squaredDistance(i, &mean_[std::size_t(component_[i]) * d_]);
        graph_.forEachEdge([&](std::uint32_t u, std::uint32_t v, std::size_t k) {
            if (component_[u] != component_[v]) e += rho_ * graph_.edgeWeight[k];
        });
        return e;
    }

    // Starting partition for a block size B: breadth-first blocks of at most B vertices, each grown over
    // the graph from the smallest vertex not yet taken, so every block is connected and blocks are
    // numbered by their smallest vertex. Returns the block count.
    std::size_t breadthFirstBlocks() {
        const Adjacency adjacency = buildAdjacency(graph_);
        component_.assign(n_, -1);
        MappedBuffer<std::uint32_t> queue;
        std::int32_t count = 0;
        for (std::size_t seed = 0; seed < n_; ++seed) {
            if (component_[seed] >= 0) continue;
            queue.assign(1, std::uint32_t(seed));
            component_[seed] = count;
            for (std::size_t head = 0; head < queue.size() && queue.size() < params_.blockSize; ++head) {
                const std::uint32_t v = queue[head];
                for (std::uint32_t a = adjacency.offset[v]; a < adjacency.offset[v + 1]; ++a) {
                    const std::uint32_t u = adjacency.neighbour[a];
                    if (component_[u] >= 0) continue;
                    component_[u] = count;
                    queue.push_back(u);
                    if (queue.size() >= params_.blockSize) break;
                }
            }
            ++count;
        }
        return std::size_t(count);
    }

    // Initial binary labelling of component c (members given): sign of the projection of the
    // residuals on their principal direction, refined by a few 2-means iterations. Returns false
    // when the component is constant (nothing to split).
    bool initialiseSides(std::size_t c, std::span<const std::uint32_t> members,
                         MappedBuffer<std::uint8_t>& side) {
        const float* mu = &mean_[c * d_];
        Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(Eigen::Index(d_), Eigen::Index(d_));
        Eigen::VectorXd r = Eigen::VectorXd::Zero(Eigen::Index(d_));
        Eigen::VectorXd start = Eigen::VectorXd::Zero(Eigen::Index(d_));
        double largest = -1.0;
        for (std::uint32_t i : members) {
            for (std::size_t k = 0; k < d_; ++k) r[Eigen::Index(k)] = double(feature(i)[k]) - mu[k];
            cov.noalias() += weight(i) * r * r.transpose();
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
        MappedBuffer<double> h(2 * d_);
        for (int it = 0; it < params_.kmeansIterations; ++it) {
            std::fill(h.begin(), h.end(), 0.0);
            double m[2] = {0.0, 0.0};
            for (std::uint32_t i : members) {
                m[side[i]] += weight(i);
                for (std::size_t k = 0; k < d_; ++k) h[side[i] * d_ + k] += weight(i) * feature(i)[k];
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
        LabelMembers grouped = membersByLabel(component_, componentCount_);
        const MappedBuffer<std::uint32_t>& start = grouped.start;
        MappedBuffer<std::uint32_t>& members = grouped.members;
        MappedBuffer<std::uint8_t> side(n_, 0), active(componentCount_, 0);
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

        // The flow graphs hold only the vertices of active components and the edges inside them, so late
        // iterations, where most components are saturated, cost little. Components are independent, so
        // they are dealt into batches (contiguous runs of active components) that are solved in parallel,
        // each batch's flow graph built, used for every flow step and freed before the thread's next
        // batch; the result does not depend on the batching. Without a block size there is one batch per
        // thread of about equal vertex counts; with one, batches of about blockSize vertices, so that the
        // flow graphs alive at once hold about threads · blockSize vertices rather than every vertex.
        MappedBuffer<std::uint32_t> activeList;
        std::size_t activeTotal = 0;
        for (std::size_t c = 0; c < componentCount_; ++c)
            if (active[c]) {
                activeList.push_back(std::uint32_t(c));
                activeTotal += start[c + 1] - start[c];
            }
        const int threads = resolveThreadCount(params_.threads);
        MappedBuffer<std::uint32_t> batchStart{0};  // batch b = activeList[batchStart[b] .. batchStart[b+1])
        if (params_.blockSize == 0) {
            const std::size_t groups =
                std::max<std::size_t>(1, std::min<std::size_t>(std::size_t(threads), activeTotal / 4096 + 1));
            std::size_t seen = 0, current = 0;
            for (std::size_t k = 0; k < activeList.size(); ++k) {
                const std::size_t c = activeList[k];
                const std::size_t g = std::min(groups - 1, seen * groups / activeTotal);
                if (g != current && k > 0) batchStart.push_back(std::uint32_t(k));
                current = g;
                seen += start[c + 1] - start[c];
            }
        } else {
            std::size_t fill = 0;
            for (std::size_t k = 0; k < activeList.size(); ++k) {
                const std::size_t size = start[activeList[k] + 1] - start[activeList[k]];
                if (fill > 0 && fill + size > params_.blockSize) {
                    batchStart.push_back(std::uint32_t(k));
                    fill = 0;
                }
                fill += size;
            }
        }
        batchStart.push_back(std::uint32_t(activeList.size()));
        const std::size_t batches = batchStart.size() - 1;

        // Per batch: flow steps, then whether each component's split lowers its energy. The side means
        // bound the energy of the final pieces from above (each piece is a connected part of a side and
        // gets its own mean). The edges inside a component are those of its members' rows whose target
        // is in the component; walking the members in ascending order visits them in edge order. Every
        // sum runs over vertices in ascending order and edges in edge order, per component, whatever the
        // batching.
        MappedBuffer<std::uint32_t> local(n_, UINT32_MAX), localComponent(componentCount_, 0);
        MappedBuffer<std::uint8_t> accepted(componentCount_, 0);
        auto solveBatch = [&](std::size_t b) {
            const std::span<const std::uint32_t> comps(activeList.data() + batchStart[b],
                                                       batchStart[b + 1] - batchStart[b]);
            MappedBuffer<std::uint32_t> vertices;
            std::size_t vertexCount = 0;
            for (const std::uint32_t c : comps) vertexCount += start[c + 1] - start[c];
            vertices.reserve(vertexCount);
            for (std::size_t k = 0; k < comps.size(); ++k) {
                localComponent[comps[k]] = std::uint32_t(k);
                for (std::uint32_t m = start[comps[k]]; m < start[comps[k] + 1]; ++m) {
                    local[members[m]] = std::uint32_t(vertices.size());
                    vertices.push_back(members[m]);
                }
            }
            // visit(u, v, e) for every edge inside the batch's components.
            auto forEachInnerEdge = [&](auto&& visit) {
                for (const std::uint32_t u : vertices)
                    for (std::uint32_t e = graph_.firstEdge[u]; e < graph_.firstEdge[u + 1]; ++e)
                        if (const std::uint32_t v = graph_.edgeTarget[e]; component_[v] == component_[u]) visit(u, v, e);
            };
            std::size_t edgeTotal = 0;
            forEachInnerEdge([&](std::uint32_t, std::uint32_t, std::uint32_t) { ++edgeTotal; });
            MappedBuffer<double> edgeCost(edgeTotal);
            std::unique_ptr<BinaryGraphCut> cut;
            {
                MappedBuffer<std::uint32_t> source(edgeTotal), target(edgeTotal);
                std::size_t k = 0;
                forEachInnerEdge([&](std::uint32_t u, std::uint32_t v, std::uint32_t e) {
                    source[k] = local[u];
                    target[k] = local[v];
                    edgeCost[k++] = rho_ * graph_.edgeWeight[e];
                });
                cut = std::make_unique<BinaryGraphCut>(vertices.size(), source, target);
            }
            MappedBuffer<double> center(comps.size() * 2 * d_), sideMass(comps.size() * 2);
            auto batchSideMeans = [&] {
                std::fill(center.begin(), center.end(), 0.0);
                std::fill(sideMass.begin(), sideMass.end(), 0.0);
                for (const std::uint32_t i : vertices) {
                    const std::size_t s = std::size_t(localComponent[std::size_t(component_[i])]) * 2 + side[i];
                    sideMass[s] += weight(i);
                    for (std::size_t k = 0; k < d_; ++k) center[s * d_ + k] += weight(i) * feature(i)[k];
                }
                for (std::size_t s = 0; s < sideMass.size(); ++s) {
                    const std::size_t c = comps[s / 2];
                    for (std::size_t k = 0; k < d_; ++k)
                        center[s * d_ + k] = sideMass[s] > 0.0 ? center[s * d_ + k] / sideMass[s] : mean_[c * d_ + k];
                }
            };
            {
                MappedBuffer<double> cost0(vertices.size()), cost1(vertices.size());
                for (int step = 0; step < params_.flowSteps; ++step) {
                    batchSideMeans();
                    for (std::size_t a = 0; a < vertices.size(); ++a) {
                        const std::size_t i = vertices[a];
                        const std::size_t lc = localComponent[std::size_t(component_[i])];
                        cost0[a] = weight(i) * squaredDistance(i, &center[(lc * 2 + 0) * d_]);
                        cost1[a] = weight(i) * squaredDistance(i, &center[(lc * 2 + 1) * d_]);
                    }
                    cut->solve(cost0, cost1, edgeCost);
                    const auto& labels = cut->labels();
                    for (std::size_t a = 0; a < vertices.size(); ++a) side[vertices[a]] = labels[a];
                }
            }
            cut.reset();  // done with the flow graph: free it before the thread's next batch
            batchSideMeans();
            MappedBuffer<double> before(comps.size(), 0.0), after(comps.size(), 0.0);
            for (const std::uint32_t i : vertices) {
                const std::size_t c = std::size_t(component_[i]), lc = localComponent[c];
                before[lc] += weight(i) * squaredDistance(i, &mean_[c * d_]);
                after[lc] += weight(i) * squaredDistance(i, &center[(lc * 2 + side[i]) * d_]);
            }
            forEachInnerEdge([&](std::uint32_t u, std::uint32_t v, std::uint32_t e) {
                if (side[u] != side[v]) after[localComponent[std::size_t(component_[u])]] += rho_ * graph_.edgeWeight[e];
            });
            for (std::size_t lc = 0; lc < comps.size(); ++lc)
                accepted[comps[lc]] = sideMass[lc * 2] > 0.0 && sideMass[lc * 2 + 1] > 0.0 &&
                                      after[lc] < before[lc] * (1.0 - 1e-9);
        };
        {
            std::atomic<std::size_t> next{0};
            parallelFor(
                std::size_t(threads), threads,
                [&](std::size_t, std::size_t) {
                    for (std::size_t b = next++; b < batches; b = next++) solveBatch(b);
                },
                1);
        }
        MappedBuffer<std::uint32_t>().swap(members);
        MappedBuffer<std::uint32_t>().swap(local);

        bool anySplit = false;
        for (std::size_t c = 0; c < componentCount_; ++c) {
            if (!active[c]) continue;
            if (accepted[c])
                anySplit = true;
            else
                saturated_[c] = 1;
        }
        if (!anySplit) return false;

        // New components: connected parts of (old component, side).
        std::vector<std::int32_t> next;  // becomes component_
        const std::size_t nextCount = connectedComponentsWhere(
            graph_,
            [&](std::uint32_t u, std::uint32_t v) {
                const auto c = std::size_t(component_[u]);
                return c == std::size_t(component_[v]) && (!accepted[c] || side[u] == side[v]);
            },
            next);
        MappedBuffer<std::uint8_t> nextSaturated(nextCount, 0);
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

    // An adjacent component and the total weight of the edges to it, 8 bytes (these lists are the
    // solver's memory peak, at its merge steps). The weight is a float sum of the float edge weights.
    struct Neighbour {
        std::int32_t other;
        float weight;
    };
    static MappedBuffer<Neighbour>::iterator find(MappedBuffer<Neighbour>& list, std::int32_t other) {
        return std::lower_bound(list.begin(), list.end(), other,
                                [](const Neighbour& x, std::int32_t o) { return x.other < o; });
    }
    // list[other] += w, inserting other (with 0 + w) where it is missing; the list stays sorted.
    static void add(MappedBuffer<Neighbour>& list, std::int32_t other, float w) {
        auto it = find(list, other);
        if (it == list.end() || it->other != other) it = list.insert(it, {other, 0.0f});
        it->weight += w;
    }

    // The (neighbour, summed weight) lists of every component during a merge step, sorted by neighbour.
    // They are built a range of components at a time (about a sixteenth of the raw edge entries each),
    // into one exactly sized array per range: one vector per component (~25,000 on ScanNet) cost ~47
    // bytes per point with their headers and allocator overhead and scattered small blocks over the
    // heap. A list that a merge edits is first copied out into `edited_` (a few thousand at most).
    class ComponentNeighbours {
    public:
        explicit ComponentNeighbours(std::size_t components) : start_(components + 1, 0) {}

        /// Appends the next range of components, [first, first + counts.size()): component first + k has
        /// the next counts[k] of `entries`.
        void appendRange(std::size_t first, MappedBuffer<std::uint32_t>&& counts, MappedBuffer<Neighbour>&& entries) {
            rangeFirst_.push_back(first);
            rangeBase_.push_back(start_[first]);
            for (std::size_t k = 0; k < counts.size(); ++k) start_[first + k + 1] = start_[first + k] + counts[k];
            rangeEntries_.push_back(std::move(entries));
        }

        /// Empties the list of c (it was merged away).
        void clear(std::int32_t c) { edited_[c] = {}; }

        std::span<const Neighbour> of(std::int32_t c) const {
            if (!edited_.empty())
                if (const auto it = edited_.find(c); it != edited_.end()) return it->second;
            const auto uc = std::size_t(c);
            const std::size_t r =
                std::size_t(std::upper_bound(rangeFirst_.begin(), rangeFirst_.end(), uc) - rangeFirst_.begin()) - 1;
            return {rangeEntries_[r].data() + (start_[uc] - rangeBase_[r]), start_[uc + 1] - start_[uc]};
        }

        /// The list of c, to be changed (copied out of its range the first time).
        MappedBuffer<Neighbour>& edit(std::int32_t c) {
            auto it = edited_.find(c);
            if (it == edited_.end()) {
                const auto list = of(c);
                it = edited_.emplace(c, MappedBuffer<Neighbour>(list.begin(), list.end())).first;
            }
            return it->second;
        }

    private:
        MappedBuffer<std::uint32_t> start_;  ///< per component, position in the concatenated ranges
        MappedBuffer<std::size_t> rangeFirst_;
        MappedBuffer<std::uint32_t> rangeBase_;
        MappedBuffer<MappedBuffer<Neighbour>> rangeEntries_;
        std::unordered_map<std::int32_t, MappedBuffer<Neighbour>> edited_;
    };

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
        // Weight between adjacent components: per component a list of (neighbour, summed weight) sorted by
        // neighbour (8 bytes per entry; a hash map per component took several times that and was the
        // solver's memory peak). Sums run in edge order, in float (the edge weights' own precision).
        ComponentNeighbours shared(s);
        // The raw (neighbour, weight) entries are gathered and summed a range of components at a time
        // (ranges of about 1/16 of all entries), so that they are never all held next to the lists they
        // turn into.
        struct Raw {
            std::int32_t other;
            float weight;
        };
        forEachRangeOfCrossingEnds<Raw>(
            graph_, component_, s, 16,
            [&](std::int32_t other, std::size_t e) { return Raw{other, graph_.edgeWeight[e]}; },
            [&](std::size_t lo, std::size_t hi, std::span<const std::uint32_t> first, std::span<Raw> raw) {
                // Sorted per component, then counted, so the range's array is allocated exactly.
                MappedBuffer<std::uint32_t> counts(hi - lo, 0);
                std::size_t total = 0;
                for (std::size_t c = lo; c < hi; ++c) {
                    Raw* begin = raw.data() + (first[c] - first[lo]);
                    Raw* end = raw.data() + (first[c + 1] - first[lo]);
                    std::stable_sort(begin, end, [](const Raw& x, const Raw& y) { return x.other < y.other; });
                    for (const Raw* r = begin; r != end; ++r) counts[c - lo] += r == begin || r->other != (r - 1)->other;
                    total += counts[c - lo];
                }
                MappedBuffer<Neighbour> entries;
                entries.reserve(total);
                for (std::size_t c = lo; c < hi; ++c) {
                    const Raw* begin = raw.data() + (first[c] - first[lo]);
                    const Raw* end = raw.data() + (first[c + 1] - first[lo]);
                    for (const Raw* r = begin; r != end; ++r) {
                        if (r == begin || r->other != (r - 1)->other) entries.push_back({r->other, 0.0f});
                        entries.back().weight += r->weight;
                    }
                }
                shared.appendRange(lo, std::move(counts), std::move(entries));
            });
        // The merges update the statistics in place: updateStatistics() recomputes them afterwards.
        MappedBuffer<double>& mass = mass_;
        std::vector<float>& mean = mean_;
        MappedBuffer<std::uint32_t> version(s, 0);
        MappedBuffer<std::int32_t> parent(s);
        for (std::size_t c = 0; c < s; ++c) parent[c] = std::int32_t(c);

        auto gain = [&](std::int32_t a, std::int32_t b, double w) {
            double dist = 0.0;
            for (std::size_t k = 0; k < d_; ++k) {
                const double t = double(mean[std::size_t(a) * d_ + k]) - double(mean[std::size_t(b) * d_ + k]);
                dist += t * t;
            }
            const double ma = mass[std::size_t(a)], mb = mass[std::size_t(b)];
            return rho_ * w - ma * mb / (ma + mb) * dist;
        };
        // The first candidates go into a vector of exactly their number, heapified at once (the pop order
        // is fixed by the candidates' total order, not by how the heap was built).
        std::priority_queue<MergeCandidate, MappedBuffer<MergeCandidate>> queue;
        {
            std::size_t profitable = 0;
            for (std::size_t a = 0; a < s; ++a)
                for (const auto [b, w] : shared.of(std::int32_t(a)))
                    profitable += std::int32_t(a) < b && gain(std::int32_t(a), b, w) > 0.0;
            MappedBuffer<MergeCandidate> first;
            first.reserve(profitable);
            for (std::size_t a = 0; a < s; ++a)
                for (const auto [b, w] : shared.of(std::int32_t(a))) {
                    if (std::int32_t(a) >= b) continue;
                    const double g = gain(std::int32_t(a), b, w);
                    if (g > 0.0) first.push_back({g, std::int32_t(a), b, 0, 0});
                }
            queue = std::priority_queue<MergeCandidate, MappedBuffer<MergeCandidate>>(std::less<MergeCandidate>(), std::move(first));
        }
        auto consider = [&](std::int32_t a, std::int32_t b, double w) {
            const double g = gain(a, b, w);
            if (g > 0.0) {
                if (a > b) std::swap(a, b);
                queue.push({g, a, b, version[std::size_t(a)], version[std::size_t(b)]});
            }
        };

        std::size_t merges = 0;
        while (!queue.empty()) {
            const MergeCandidate m = queue.top();
            queue.pop();
            if (parent[std::size_t(m.a)] != m.a || parent[std::size_t(m.b)] != m.b ||
                version[std::size_t(m.a)] != m.versionA || version[std::size_t(m.b)] != m.versionB)
                continue;
            // Fold the component with fewer neighbours into the other.
            std::int32_t keep = m.a, gone = m.b;
            if (shared.of(gone).size() > shared.of(keep).size()) std::swap(keep, gone);
            const auto k = std::size_t(keep), g = std::size_t(gone);
            const double total = mass[k] + mass[g];
            for (std::size_t j = 0; j < d_; ++j)
                mean[k * d_ + j] = float((mass[k] * mean[k * d_ + j] + mass[g] * mean[g * d_ + j]) / total);
            mass[k] = total;
            MappedBuffer<Neighbour>& keptList = shared.edit(keep);
            for (const auto [other, w] : shared.of(gone)) {
                if (other == keep) continue;
                auto& otherList = shared.edit(other);
                otherList.erase(find(otherList, gone));
                add(otherList, keep, w);
                add(keptList, other, w);
            }
            keptList.erase(find(keptList, gone));
            shared.clear(gone);
            parent[g] = keep;
            ++version[k];
            ++version[g];
            ++merges;
            for (const auto [other, w] : keptList) consider(keep, other, w);
        }
        shared = ComponentNeighbours(0);  // done with: free before the renumbering
        queue = std::priority_queue<MergeCandidate, MappedBuffer<MergeCandidate>>();
        if (merges == 0) return 0;

        auto root = [&](std::int32_t c) {
            while (parent[std::size_t(c)] != c) c = parent[std::size_t(c)];
            return c;
        };
        // Renumber in place by smallest vertex (as relabelByFirstVertex would number the roots), through a
        // table over the old components rather than copies of the labels.
        MappedBuffer<std::int32_t> renumber(s, -1);
        MappedBuffer<std::uint8_t> nextSaturated;
        std::int32_t count = 0;
        for (std::size_t i = 0; i < n_; ++i) {
            const auto old = std::size_t(root(component_[i]));
            if (renumber[old] < 0) {
                renumber[old] = count++;
                // A merged component has a new value and may split differently: unsaturate it.
                nextSaturated.push_back(version[old] > 0 ? 0 : saturated_[old]);
            }
            component_[i] = renumber[old];
        }
        componentCount_ = std::size_t(count);
        saturated_ = std::move(nextSaturated);
        updateStatistics();
        return merges;
    }

    const WeightedGraph& graph_;
    const float* f_;
    std::size_t n_, d_;
    CutPursuitParams params_;
    double rho_;
    std::vector<float> weight_;  ///< per vertex; empty = all 1
    std::vector<std::int32_t> component_;
    std::size_t componentCount_ = 0;
    std::vector<float> mean_;  ///< components × d, see updateStatistics
    MappedBuffer<double> mass_;
    MappedBuffer<std::uint8_t> saturated_;
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
