#pragma once
// Exact k-nearest-neighbour and radius queries over a fixed set of 3D points (a static kd-tree), with
// multi-threaded batch queries. Results are deterministic: neighbours are ordered by (squared distance,
// index), so ties are broken by the smaller point index, exactly as a brute-force sort would order them.
//
// Why an own kd-tree rather than Open3D's KDTreeFlann or nanoflann (bench/bench_knn.cpp, Release, 2 cores,
// k = 16, build + query of every point on 2 threads, machine loaded by parallel builds; bench/README.md):
//   1M uniform points: ours 20.2 s wall / 4.1 s CPU, KDTreeFlann 31.3 s / 7.1 s  (ours ~1.5x faster)
//   ScanNet 81k points: ours 492 ms / 108 ms CPU, KDTreeFlann 236 ms / 93 ms     (ours ~2x slower wall)
// Speed is a wash, so the choice rests on the rest: deterministic (distance, index) order equal to a
// brute-force sort (KDTreeFlann breaks ties arbitrarily), float storage with no Eigen::Vector3d copy, no
// Open3D in this layer. nanoflann (libnanoflann-dev 1.4.3) is not installed here and was not measured.

#include "core/common/Progress.h"

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace s4 {

/// Squared Euclidean distance, summed as ((dx² + dy²) + dz²). Every neighbour search, sampler and bound
/// in core/geometry and core/tokenize uses this one formula so that float results are bit-identical.
inline float squaredDistance(const Eigen::Vector3f& a, const Eigen::Vector3f& b) {
    const float dx = a.x() - b.x();
    const float dy = a.y() - b.y();
    const float dz = a.z() - b.z();
    return dx * dx + dy * dy + dz * dz;
}

/// Whether a batch query over the tree's own points may return the query point itself.
enum class SelfMatch { Exclude, Include };

/// Neighbours of a batch of query points: a row-major queries × k table, nearest first.
struct NeighborLists {
    std::size_t queries = 0;               ///< number of rows
    int k = 0;                             ///< neighbours per row (may be less than requested, see knnAll)
    std::vector<std::int32_t> indices;     ///< queries × k point indices
    std::vector<float> sqDistances;        ///< queries × k squared distances, ascending per row

    const std::int32_t* indicesOf(std::size_t q) const { return indices.data() + q * static_cast<std::size_t>(k); }
    const float* sqDistancesOf(std::size_t q) const {
        return sqDistances.data() + q * static_cast<std::size_t>(k);
    }
};

/// A static kd-tree over a copy of the points (median splits on the widest box axis, small leaf buckets).
class KdTree {
public:
    /// Builds the tree. Throws s4::InvalidArgument if a point is not finite or there are more than
    /// 2^31 − 1 points. An empty point set gives an empty tree (queries return nothing).
    explicit KdTree(const std::vector<Eigen::Vector3f>& points, int leafSize = 16);

    /// Number of points in the tree.
    std::size_t size() const { return points_.size(); }

    /// Writes the min(k, size()) nearest points to `query` (indices and squared distances, ascending by
    /// (distance, index)) and returns how many were written. Throws s4::InvalidArgument for a non-finite
    /// query (as for non-finite tree points).
    int knn(const Eigen::Vector3f& query, int k, std::int32_t* indices, float* sqDistances) const;

    /// Convenience form of knn() that resizes the output vectors.
    void knn(const Eigen::Vector3f& query, int k, std::vector<std::int32_t>& indices,
             std::vector<float>& sqDistances) const;

    /// Index of the nearest point (smallest index among equidistant ones), -1 for an empty tree.
    std::int32_t nearest(const Eigen::Vector3f& query, float* sqDistance = nullptr) const;

    /// All points with squared distance <= radius², ascending by (distance, index).
    void radius(const Eigen::Vector3f& query, float radius, std::vector<std::int32_t>& indices,
                std::vector<float>& sqDistances) const;

private:
    struct Node {
        float lo[3];
        float hi[3];
        std::int32_t begin;  ///< first slot in points_ (leaf) or -1
        std::int32_t end;    ///< one past the last slot (leaf)
        std::int32_t left;   ///< child node indices (inner node), -1 for a leaf
        std::int32_t right;
    };
    std::int32_t build(std::int32_t begin, std::int32_t end, int leafSize);

    std::vector<Eigen::Vector3f> points_;   ///< points in tree order
    std::vector<std::int32_t> original_;    ///< tree order → caller's index
    std::vector<Node> nodes_;
};

/// k nearest neighbours of every point of `points` among `points`, on `threads` threads (0 = all cores).
/// With SelfMatch::Exclude the point itself is left out (k nearest *other* points); the returned k is
/// min(k, available points). Throws s4::InvalidArgument for k < 0 or a non-finite point.
NeighborLists knnAll(const std::vector<Eigen::Vector3f>& points, int k, SelfMatch self, int threads = 0,
                     const Progress& progress = {});

/// k nearest points of the tree for each query point, on `threads` threads (0 = all cores).
/// Throws s4::InvalidArgument for k < 0 or a non-finite query.
NeighborLists knnQuery(const KdTree& tree, const std::vector<Eigen::Vector3f>& queries, int k, int threads = 0,
                       const Progress& progress = {});

} // namespace s4
