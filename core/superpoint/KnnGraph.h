#pragma once
// The adjacency graph of a point cloud for the superpoint partition: the symmetrised k-nearest-neighbour
// graph (an edge u–v when v is among u's k nearest or u among v's), each edge once, with weights that
// decrease with the edge length d relative to the mean edge length d̄.

#include "core/geometry/NeighborSearch.h"
#include "core/superpoint/WeightedGraph.h"

namespace s4 {

enum class EdgeWeighting {
    InverseDistance,  ///< w = 1 / (1 + d / d̄)  (Landrieu & Simonovsky 2018, SPG)
    Gaussian,         ///< w = exp(−d² / d̄²)
    Uniform,          ///< w = 1
};

/// Builds the graph from kNN lists of every point (as knnAll with SelfMatch::Exclude gives; negative
/// and self entries are skipped). Edges are sorted by (smaller endpoint, larger endpoint). If meanLength
/// is given it receives d̄.
WeightedGraph buildKnnGraph(const NeighborLists& neighbours, EdgeWeighting weighting,
                            double* meanLength = nullptr);

/// The same from only the first `columns` neighbours of each row (all of them if columns ≥ k), so a
/// wider kNN query can serve the graph without a copy of its first columns.
WeightedGraph buildKnnGraph(const NeighborLists& neighbours, int columns, EdgeWeighting weighting,
                            double* meanLength = nullptr);

/// The same, consuming the lists: they are released as soon as they have been read (before the edge
/// lists are allocated), so the kNN table and the graph are never held at once. `neighbours` is left empty.
WeightedGraph buildKnnGraph(NeighborLists&& neighbours, int columns, EdgeWeighting weighting,
                            double* meanLength = nullptr);

}  // namespace s4
