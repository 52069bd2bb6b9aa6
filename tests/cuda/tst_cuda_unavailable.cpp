// Without a usable GPU path the CUDA API says why and refuses calls with a clear error.
#include "core/common/Error.h"
#include "core/cuda/CudaKernels.h"

#include <QtTest>

using namespace s4;

class TestCudaUnavailable : public QObject {
    Q_OBJECT
private slots:
    void refusesWithAReason() {
        if (cuda::available()) QSKIP("a GPU is usable here; tst_cuda_parity covers this build");
        QVERIFY(!cuda::describe().empty());
        float xyz[3] = {0, 0, 0};
        try {
            cuda::farthestPointSample(xyz, 1, nullptr, 0, 1);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).size() > 10);
        }
    }
};

QTEST_GUILESS_MAIN(TestCudaUnavailable)
#include "tst_cuda_unavailable.moc"
