// Scratch arrays (MappedBuffer): blocks of 64 KiB and more are mapped on their own and unmapped when
// freed (the observer sees every map and unmap, and they balance), smaller ones come from operator new;
// the contents behave as a std::vector's through growth, copies and moves.
#include "core/common/MappedBuffer.h"

#include <QtTest>

#include <cstdint>
#include <numeric>

using namespace s4;

namespace {

long long mappedNow = 0;
int maps = 0;
void observe(long long delta) {
    mappedNow += delta;
    if (delta > 0) ++maps;
}

}  // namespace

class TestMappedBuffer : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { setScratchPagesObserver(&observe); }
    void cleanupTestCase() { setScratchPagesObserver(nullptr); }

    void largeBlocksAreMappedAndReturned() {
        {
            MappedBuffer<std::uint32_t> small(kMappedBufferBytes / sizeof(std::uint32_t) - 1, 7);
            QCOMPARE(mappedNow, 0ll);  // below the bound: operator new
            MappedBuffer<std::uint32_t> large(kMappedBufferBytes / sizeof(std::uint32_t), 0);
            QCOMPARE(mappedNow, (long long)kMappedBufferBytes);
            std::iota(large.begin(), large.end(), 0u);
            MappedBuffer<std::uint32_t> copy = large;
            QCOMPARE(mappedNow, 2ll * (long long)kMappedBufferBytes);
            QCOMPARE(copy, large);
            MappedBuffer<std::uint32_t> moved = std::move(copy);  // takes the block over
            QCOMPARE(mappedNow, 2ll * (long long)kMappedBufferBytes);
            QCOMPARE(moved[12345], 12345u);
            QCOMPARE(small.back(), 7u);
        }
        QCOMPARE(mappedNow, 0ll);
    }

    void growthKeepsTheContents() {
        maps = 0;
        {
            MappedBuffer<double> grown;
            for (int i = 0; i < 100000; ++i) grown.push_back(0.5 * i);
            QCOMPARE(grown.size(), std::size_t(100000));
            for (int i = 0; i < 100000; i += 997) QCOMPARE(grown[std::size_t(i)], 0.5 * i);
            QVERIFY(maps >= 2);  // 800 KB: grown through several mapped blocks
            grown.clear();
            grown.shrink_to_fit();
            QCOMPARE(mappedNow, 0ll);
        }
        QCOMPARE(mappedNow, 0ll);
    }
};

QTEST_GUILESS_MAIN(TestMappedBuffer)
#include "tst_mappedbuffer.moc"
