// CUDA kernels behind core/cuda/CudaKernels.h. Compiled with --fmad=false so distances round exactly as
// on the CPU (x86-64 without FMA): FPS/WFPS then picks the same indices as the CPU path.
#include "core/cuda/CudaKernels.h"

#include "core/common/Error.h"

#include <cuda_runtime.h>

#include <climits>
#include <cmath>
#include <unordered_map>

namespace s4::cuda {
namespace {

constexpr int kThreads = 256;

void check(cudaError_t status, const char* what) {
    if (status != cudaSuccess) throw Error(std::string("CUDA ") + what + " failed: " + cudaGetErrorString(status));
}

/// Device buffer owning its memory (freed on every path, including exceptions).
template <class T> class DeviceBuffer {
public:
    explicit DeviceBuffer(std::size_t count) : count_(count) {
        if (count_ > 0) check(cudaMalloc(&ptr_, count_ * sizeof(T)), "cudaMalloc");
    }
    DeviceBuffer(const T* host, std::size_t count) : DeviceBuffer(count) {
        if (count_ > 0) check(cudaMemcpy(ptr_, host, count_ * sizeof(T), cudaMemcpyHostToDevice), "upload");
    }
    ~DeviceBuffer() {
        if (ptr_) cudaFree(ptr_);
    }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    T* get() const { return ptr_; }
    void download(T* host, std::size_t count) const {
        if (count > 0) check(cudaMemcpy(host, ptr_, count * sizeof(T), cudaMemcpyDeviceToHost), "download");
    }

private:
    T* ptr_ = nullptr;
    std::size_t count_;
};

__device__ inline bool better(float s, int i, float bestScore, int bestIndex) {
    return s > bestScore || (s == bestScore && i < bestIndex);
}

/// Block-wide argmax with smallest-index tie-break; the result lands in thread 0.
__device__ void blockArgmax(float& score, int& index) {
    __shared__ float scores[kThreads];
    __shared__ int indices[kThreads];
    scores[threadIdx.x] = score;
    indices[threadIdx.x] = index;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride) {
            const float s = scores[threadIdx.x + stride];
            const int i = indices[threadIdx.x + stride];
            if (better(s, i, scores[threadIdx.x], indices[threadIdx.x])) {
                scores[threadIdx.x] = s;
                indices[threadIdx.x] = i;
            }
        }
        __syncthreads();
    }
    score = scores[0];
    index = indices[0];
}

/// One FPS step, part 1: fold the last chosen point into every distance and find each block's best.
__global__ void fpsUpdate(const float* xyz, const float* factor, float* dist, int n, const int* selected, int t,
                          float* blockScore, int* blockIndex) {
    const int c = selected[t - 1];
    const float cx = xyz[3 * c], cy = xyz[3 * c + 1], cz = xyz[3 * c + 2];
    float best = -INFINITY;
    int bestIndex = INT_MAX;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        const float dx = xyz[3 * i] - cx, dy = xyz[3 * i + 1] - cy, dz = xyz[3 * i + 2] - cz;
        const float d = dx * dx + dy * dy + dz * dz;
        const float cur = fminf(dist[i], d);
        dist[i] = cur;
        const float f = factor ? factor[i] : 1.0f;
        if (f < 0.0f) continue;
        const float s = cur * f;
        if (better(s, i, best, bestIndex)) {
            best = s;
            bestIndex = i;
        }
    }
    blockArgmax(best, bestIndex);
    if (threadIdx.x == 0) {
        blockScore[blockIdx.x] = best;
        blockIndex[blockIdx.x] = bestIndex;
    }
}

/// One FPS step, part 2: reduce the block winners and record the chosen index (-1 if none).
__global__ void fpsSelect(const float* blockScore, const int* blockIndex, int blocks, int* selected, int t) {
    float best = -INFINITY;
    int bestIndex = INT_MAX;
    for (int b = threadIdx.x; b < blocks; b += blockDim.x)
        if (better(blockScore[b], blockIndex[b], best, bestIndex)) {
            best = blockScore[b];
            bestIndex = blockIndex[b];
        }
    blockArgmax(best, bestIndex);
    if (threadIdx.x == 0) selected[t] = bestIndex == INT_MAX ? -1 : bestIndex;
}

__global__ void initDistances(float* dist, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) dist[i] = INFINITY;
}

/// One block per centre scans the points in index order and appends the members in that order
/// (a warp ballot gives each member its slot), so the result equals a sequential scan.
__global__ void ballQueryKernel(const float* xyz, int n, const int* superpoint, const int* centres, float r2,
                                int maxMembers, int* members, int* counts) {
    __shared__ int warpTotals[kThreads / 32];
    __shared__ int found;
    const int c = centres[blockIdx.x];
    const float cx = xyz[3 * c], cy = xyz[3 * c + 1], cz = xyz[3 * c + 2];
    const int label = superpoint ? superpoint[c] : 0;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (threadIdx.x == 0) found = 0;
    __syncthreads();
    for (int base = 0; base < n; base += blockDim.x) {
        const int i = base + threadIdx.x;
        bool in = false;
        if (i < n) {
            const float dx = xyz[3 * i] - cx, dy = xyz[3 * i + 1] - cy, dz = xyz[3 * i + 2] - cz;
            in = dx * dx + dy * dy + dz * dz <= r2 && (!superpoint || superpoint[i] == label);
        }
        const unsigned ballot = __ballot_sync(0xffffffffu, in);
        if (lane == 0) warpTotals[warp] = __popc(ballot);
        __syncthreads();
        int before = found;
        for (int w = 0; w < warp; ++w) before += warpTotals[w];
        const int slot = before + __popc(ballot & ((1u << lane) - 1u));
        if (in && slot < maxMembers) members[blockIdx.x * maxMembers + slot] = i;
        __syncthreads();
        if (threadIdx.x == 0)
            for (int w = 0; w < blockDim.x / 32; ++w) found += warpTotals[w];
        __syncthreads();
    }
    if (threadIdx.x == 0) counts[blockIdx.x] = found;
    // Pad the unused slots with the centre itself (the CPU path pads by repetition + a mask).
    for (int s = found + threadIdx.x; s < maxMembers; s += blockDim.x) members[blockIdx.x * maxMembers + s] = c;
}

/// One thread per point: inverse-distance weights over the centres of its superpoint (group >= 0), or
/// over its 3 nearest centres (group < 0).
__global__ void propagateKernel(const float* xyz, int n, const int* group, const int* groupStart,
                                const int* groupCentres, const int* centres, int centreCount,
                                const float* features, int dim, float eps, float* out) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const float px = xyz[3 * i], py = xyz[3 * i + 1], pz = xyz[3 * i + 2];
    auto distanceTo = [&](int k) {
        const int c = centres[k];
        const float dx = px - xyz[3 * c], dy = py - xyz[3 * c + 1], dz = pz - xyz[3 * c + 2];
        return sqrtf(dx * dx + dy * dy + dz * dz);
    };
    float* o = out + static_cast<long long>(i) * dim;
    for (int d = 0; d < dim; ++d) o[d] = 0.0f;
    const int g = group[i];
    if (g >= 0) {
        float total = 0.0f;
        for (int j = groupStart[g]; j < groupStart[g + 1]; ++j) total += 1.0f / (distanceTo(groupCentres[j]) + eps);
        for (int j = groupStart[g]; j < groupStart[g + 1]; ++j) {
            const int k = groupCentres[j];
            const float w = (1.0f / (distanceTo(k) + eps)) / total;
            for (int d = 0; d < dim; ++d) o[d] += w * features[static_cast<long long>(k) * dim + d];
        }
        return;
    }
    int nearest[3] = {-1, -1, -1};
    float nd[3] = {INFINITY, INFINITY, INFINITY};
    for (int k = 0; k < centreCount; ++k) {
        const float d = distanceTo(k);
        if (d >= nd[2]) continue;
        int slot = 2;
        while (slot > 0 && d < nd[slot - 1]) {
            nd[slot] = nd[slot - 1];
            nearest[slot] = nearest[slot - 1];
            --slot;
        }
        nd[slot] = d;
        nearest[slot] = k;
    }
    float total = 0.0f;
    for (int s = 0; s < 3; ++s)
        if (nearest[s] >= 0) total += 1.0f / (nd[s] + eps);
    for (int s = 0; s < 3; ++s) {
        if (nearest[s] < 0) continue;
        const float w = (1.0f / (nd[s] + eps)) / total;
        for (int d = 0; d < dim; ++d) o[d] += w * features[static_cast<long long>(nearest[s]) * dim + d];
    }
}

int blocksFor(std::size_t n) {
    const std::size_t b = (n + kThreads - 1) / kThreads;
    return static_cast<int>(b < 1024 ? (b == 0 ? 1 : b) : 1024);
}

} // namespace

bool available() {
    int count = 0;
    return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

std::string describe() {
    int count = 0;
    cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess) return std::string("no CUDA device: ") + cudaGetErrorString(status);
    if (count == 0) return "no CUDA device";
    cudaDeviceProp prop{};
    cudaGetDeviceProperties(&prop, 0);
    return prop.name;
}

std::vector<std::int32_t> farthestPointSample(const float* xyz, std::size_t n, const float* scoreFactor,
                                              std::int32_t first, std::size_t count) {
    if (n > static_cast<std::size_t>(INT_MAX)) throw InvalidArgument("GPU sampling supports at most 2^31 points");
    if (count == 0) return {};
    if (first < 0 || static_cast<std::size_t>(first) >= n) throw InvalidArgument("first sample index out of range");
    const int blocks = blocksFor(n);
    DeviceBuffer<float> dXyz(xyz, 3 * n), dDist(n), dScore(blocks);
    DeviceBuffer<float> dFactor(scoreFactor ? scoreFactor : nullptr, scoreFactor ? n : 0);
    DeviceBuffer<int> dIndex(blocks), dSelected(count);
    check(cudaMemcpy(dSelected.get(), &first, sizeof(int), cudaMemcpyHostToDevice), "upload");
    initDistances<<<blocks, kThreads>>>(dDist.get(), static_cast<int>(n));
    for (std::size_t t = 1; t < count; ++t) {
        fpsUpdate<<<blocks, kThreads>>>(dXyz.get(), scoreFactor ? dFactor.get() : nullptr, dDist.get(),
                                        static_cast<int>(n), dSelected.get(), static_cast<int>(t), dScore.get(),
                                        dIndex.get());
        fpsSelect<<<1, kThreads>>>(dScore.get(), dIndex.get(), blocks, dSelected.get(), static_cast<int>(t));
    }
    check(cudaGetLastError(), "FPS kernels");
    std::vector<std::int32_t> selected(count);
    dSelected.download(selected.data(), count);
    for (auto s : selected)
        if (s < 0) throw InvalidArgument("fewer candidate points than requested samples");
    return selected;
}

void ballQuery(const float* xyz, std::size_t n, const std::int32_t* superpoint, const std::int32_t* centres,
               std::size_t centreCount, float radius, int maxMembers, std::int32_t* members, std::int32_t* counts) {
    if (centreCount == 0) return;
    if (maxMembers < 1) throw InvalidArgument("ball query needs at least one member per patch");
    DeviceBuffer<float> dXyz(xyz, 3 * n);
    DeviceBuffer<int> dSuper(superpoint, superpoint ? n : 0), dCentres(centres, centreCount);
    DeviceBuffer<int> dMembers(centreCount * static_cast<std::size_t>(maxMembers)), dCounts(centreCount);
    ballQueryKernel<<<static_cast<unsigned>(centreCount), kThreads>>>(
        dXyz.get(), static_cast<int>(n), superpoint ? dSuper.get() : nullptr, dCentres.get(), radius * radius,
        maxMembers, dMembers.get(), dCounts.get());
    check(cudaGetLastError(), "ball query kernel");
    dMembers.download(members, centreCount * static_cast<std::size_t>(maxMembers));
    dCounts.download(counts, centreCount);
}

void propagateFeatures(const float* xyz, std::size_t n, const std::int32_t* superpoint, const std::int32_t* centres,
                       std::size_t centreCount, const float* centreFeatures, int dim, float eps, float* out) {
    if (centreCount == 0) throw InvalidArgument("propagation needs at least one centre");
    // Group the centres by superpoint (CSR, centre order kept) and give every point its group or -1.
    std::unordered_map<std::int32_t, int> groupOf;
    std::vector<std::vector<int>> groups;
    for (std::size_t k = 0; k < centreCount; ++k) {
        const std::int32_t label = superpoint ? superpoint[centres[k]] : 0;
        auto [it, fresh] = groupOf.emplace(label, static_cast<int>(groups.size()));
        if (fresh) groups.emplace_back();
        groups[static_cast<std::size_t>(it->second)].push_back(static_cast<int>(k));
    }
    std::vector<int> start{0}, flat, pointGroup(n, -1);
    for (const auto& g : groups) {
        flat.insert(flat.end(), g.begin(), g.end());
        start.push_back(static_cast<int>(flat.size()));
    }
    for (std::size_t i = 0; i < n; ++i) {
        auto it = groupOf.find(superpoint ? superpoint[i] : 0);
        if (it != groupOf.end()) pointGroup[i] = it->second;
    }
    DeviceBuffer<float> dXyz(xyz, 3 * n), dFeat(centreFeatures, centreCount * static_cast<std::size_t>(dim));
    DeviceBuffer<float> dOut(n * static_cast<std::size_t>(dim));
    DeviceBuffer<int> dGroup(pointGroup.data(), n), dStart(start.data(), start.size()), dFlat(flat.data(), flat.size());
    DeviceBuffer<int> dCentres(centres, centreCount);
    propagateKernel<<<static_cast<unsigned>((n + kThreads - 1) / kThreads), kThreads>>>(
        dXyz.get(), static_cast<int>(n), dGroup.get(), dStart.get(), dFlat.get(), dCentres.get(),
        static_cast<int>(centreCount), dFeat.get(), dim, eps, dOut.get());
    check(cudaGetLastError(), "propagation kernel");
    dOut.download(out, n * static_cast<std::size_t>(dim));
}

} // namespace s4::cuda
