// OFF meshes sampled on their surface: header variants, fan triangulation, samples on the surface of the
// real ModelNet meshes (checked with a brute-force point-triangle distance against an independent
// parse), seeded determinism, area-proportional and in-triangle-uniform sampling, and malformed meshes.
#include "core/common/Error.h"
#include "core/geometry/MeshSampling.h"
#include "core/io/SceneReader.h"
#include "tests/support/TestData.h"

#include <QFile>
#include <QtTest>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace s4;
namespace fs = std::filesystem;

namespace {

struct RefMesh {
    std::vector<Eigen::Vector3d> vertices;
    std::vector<Eigen::Vector3i> triangles;
};

// A deliberately simple OFF parser (whitespace tokens, Qt strings) independent of the production one.
RefMesh parseOffReference(const fs::path& path) {
    QFile f(QString::fromStdString(path.string()));
    if (!f.open(QIODevice::ReadOnly)) return {};
    QStringList tokens;
    for (const QString& line : QString::fromLatin1(f.readAll()).split('\n')) {
        const QString t = line.trimmed();
        if (t.isEmpty() || t.startsWith('#')) continue;
        tokens += t.split(' ', Qt::SkipEmptyParts);
    }
    int i = 0;
    if (tokens[i] == "OFF")
        ++i;
    else
        tokens[i] = tokens[i].mid(3);  // "OFF12" glued
    const int nv = tokens[i++].toInt(), nf = tokens[i++].toInt();
    ++i;  // edges
    RefMesh m;
    for (int v = 0; v < nv; ++v, i += 3)
        m.vertices.emplace_back(tokens[i].toDouble(), tokens[i + 1].toDouble(), tokens[i + 2].toDouble());
    for (int f2 = 0; f2 < nf; ++f2) {
        const int n = tokens[i++].toInt();
        std::vector<int> poly;
        for (int k = 0; k < n; ++k) poly.push_back(tokens[i++].toInt());
        for (int k = 1; k + 1 < n; ++k) m.triangles.emplace_back(poly[0], poly[k], poly[k + 1]);
    }
    return m;
}

// Closest point on triangle abc to p (Ericson, Real-Time Collision Detection, 5.1.5).
Eigen::Vector3d closestOnTriangle(const Eigen::Vector3d& p, const Eigen::Vector3d& a,
                                  const Eigen::Vector3d& b, const Eigen::Vector3d& c) {
    const Eigen::Vector3d ab = b - a, ac = c - a, ap = p - a;
    const double d1 = ab.dot(ap), d2 = ac.dot(ap);
    if (d1 <= 0 && d2 <= 0) return a;
    const Eigen::Vector3d bp = p - b;
    const double d3 = ab.dot(bp), d4 = ac.dot(bp);
    if (d3 >= 0 && d4 <= d3) return b;
    const double vc = d1 * d4 - d3 * d2;
    if (vc <= 0 && d1 >= 0 && d3 <= 0) return a + d1 / (d1 - d3) * ab;
    const Eigen::Vector3d cp = p - c;
    const double d5 = ab.dot(cp), d6 = ac.dot(cp);
    if (d6 >= 0 && d5 <= d6) return c;
    const double vb = d5 * d2 - d1 * d6;
    if (vb <= 0 && d2 >= 0 && d6 <= 0) return a + d2 / (d2 - d6) * ac;
    const double va = d3 * d6 - d5 * d4;
    if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0) return b + (d4 - d3) / ((d4 - d3) + (d5 - d6)) * (c - b);
    const double denom = 1.0 / (va + vb + vc);
    return a + ab * (vb * denom) + ac * (vc * denom);
}

double distanceToMesh(const Eigen::Vector3d& p, const RefMesh& m) {
    double best = std::numeric_limits<double>::infinity();
    for (const auto& t : m.triangles)
        best = std::min(
            best, (p - closestOnTriangle(p, m.vertices[t[0]], m.vertices[t[1]], m.vertices[t[2]])).norm());
    return best;
}

const char* kModelNet[] = {
    "modelnet/ModelNet10/sofa/test/sofa_0681.off",       "modelnet/ModelNet10/sofa/train/sofa_0001.off",
    "modelnet/ModelNet10/table/test/table_0393.off",     "modelnet/ModelNet10/table/train/table_0001.off",
    "modelnet/ModelNet40/desk/test/desk_0201.off",       "modelnet/ModelNet40/desk/train/desk_0001.off",
    "modelnet/ModelNet40/monitor/test/monitor_0466.off", "modelnet/ModelNet40/monitor/train/monitor_0001.off",
};

// Two triangles in z = 0: A = (0,0),(1,0),(0,2) with area 1 and B = (10,0),(13,0),(10,2) with area 3.
const char* kTwoTriangles = "OFF\n6 2 0\n0 0 0\n1 0 0\n0 2 0\n10 0 0\n13 0 0\n10 2 0\n3 0 1 2\n3 3 4 5\n";

}  // namespace

#define EXPECT_IO_ERROR(...)                                   \
    do {                                                       \
        const std::string problem = errorProblem(__VA_ARGS__); \
        QVERIFY2(problem.empty(), problem.c_str());            \
    } while (0)

class TestOff : public QObject {
    Q_OBJECT

    test::ScratchFolder dir_;
    fs::path write(const std::string& name, const std::string& bytes) { return dir_.write(name, bytes); }

    Scene read(const std::string& name, const std::string& bytes, std::size_t samples = 1000,
               std::uint64_t seed = 1) {
        ReadOptions o;
        o.meshSamples = samples;
        o.seed = seed;
        return readScene(write(name, bytes), o);
    }

    std::string errorProblem(const std::string& name, const std::string& bytes,
                             const std::vector<std::string>& fragments) {
        try {
            read(name, bytes);
        } catch (const IoError& e) {
            const std::string msg = e.what();
            if (msg.find(name) == std::string::npos) return "no file name in: " + msg;
            for (const auto& f : fragments)
                if (msg.find(f) == std::string::npos) return "'" + f + "' missing in: " + msg;
            return {};
        }
        return name + ": the malformed mesh was accepted";
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void quadIsFanTriangulatedAndSampled() {
        // A unit square in the plane z = 2 as one quad, plus a comment and blank lines.
        const Scene s =
            read("quad.off", "OFF\n# comment\n4 1 0\n\n0 0 2\n1 0 2\n1 1 2\n0 1 2\n4 0 1 2 3\n", 500);
        QCOMPARE(s.pointCount(), std::size_t(500));
        QCOMPARE(s.source.format, std::string("off"));
        QVERIFY(s.faces.empty());
        const float* n = s.find(attr::kNormal)->data<float>();
        for (std::size_t i = 0; i < s.pointCount(); ++i) {
            const auto& p = s.positions[i];
            QVERIFY(p.x() >= 0 && p.x() <= 1 && p.y() >= 0 && p.y() <= 1);
            QCOMPARE(p.z(), 2.0f);
            QCOMPARE(n[3 * i + 2], 1.0f);  // counter-clockwise quad: +z
        }
        // Both fan triangles are used: points on either side of the diagonal x = y.
        const auto above =
            std::count_if(s.positions.begin(), s.positions.end(), [](auto& p) { return p.y() > p.x(); });
        QVERIFY(above > 150 && above < 350);
        bool noted = false;
        for (const auto& note : s.source.notes)
            noted = noted || note.find("4 vertices and 1 faces (2 triangles)") != std::string::npos;
        QVERIFY(noted);
    }

    void headerVariants() {
        const std::string body = "0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n";
        QCOMPARE(read("glued.off", "OFF3 1 0\n" + body).pointCount(), std::size_t(1000));
        QCOMPARE(read("sameline.off", "OFF 3 1 0\r\n" + body).pointCount(), std::size_t(1000));
        QCOMPARE(read("coff.off",
                      "COFF\n3 1 0\n0 0 0 255 0 0 255\n1 0 0 0 255 0 255\n0 1 0 0 0 255 255\n3 0 1 2\n")
                     .pointCount(),
                 std::size_t(1000));
        QCOMPARE(read("noff.off", "NOFF\n3 1 0\n0 0 0 0 0 1\n1 0 0 0 0 1\n0 1 0 0 0 1\n3 0 1 2 255 0 0\n")
                     .pointCount(),
                 std::size_t(1000));
    }

    void seededDeterminism() {
        const Scene a = read("det.off", kTwoTriangles, 2000, 42);
        const Scene b = read("det.off", kTwoTriangles, 2000, 42);
        const Scene c = read("det.off", kTwoTriangles, 2000, 43);
        QVERIFY(a.positions == b.positions);
        QVERIFY(a.positions != c.positions);
    }

    void areaProportionalAndUniformInTriangle() {
        const std::size_t n = 20000;
        const Scene s = read("areas.off", kTwoTriangles, n, 7);
        std::size_t inB = 0, inAFarHalf = 0;
        for (const auto& p : s.positions) {
            if (p.x() >= 10)
                ++inB;
            else if (p.x() >= 0.5f)
                ++inAFarHalf;
        }
        // Triangle B holds 3/4 of the area: sigma = sqrt(.75 * .25 / 20000) = 0.003, tolerance 5 sigma.
        const double shareB = double(inB) / double(n);
        QVERIFY2(std::abs(shareB - 0.75) < 0.015, qPrintable(QString::number(shareB)));
        // Within A, the part x >= 0.5 is the triangle (0.5,0),(1,0),(0.5,1) = 1/4 of A's area. Sampling
        // without the square-root trick would give 0.153 here.
        const double shareFar = double(inAFarHalf) / double(n - inB);
        QVERIFY2(std::abs(shareFar - 0.25) < 0.03, qPrintable(QString::number(shareFar)));
    }

    void samplerIsUsableOnItsOwn() {
        const std::vector<Eigen::Vector3f> v{{0, 0, 0}, {2, 0, 0}, {0, 2, 0}, {5, 5, 5}};
        const std::vector<Eigen::Vector3i> t{{0, 1, 2}, {3, 3, 3}};  // the second one has zero area
        QCOMPARE(surfaceArea(v, t), 2.0);
        const SurfaceSamples s = sampleSurfaceUniform(v, t, 100, 3);
        QCOMPARE(s.points.size(), std::size_t(100));
        for (auto tri : s.triangle) QCOMPARE(tri, 0);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, sampleSurfaceUniform(v, {{3, 3, 3}}, 10, 0));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, sampleSurfaceUniform(v, {{0, 1, 9}}, 10, 0));
    }

    void modelNetSamplesLieOnTheSurface_data() {
        QTest::addColumn<QString>("relative");
        for (const char* rel : kModelNet) QTest::newRow(rel) << QString(rel);
    }

    void modelNetSamplesLieOnTheSurface() {
        QFETCH(QString, relative);
        const fs::path p = test::sharedData(relative.toStdString());
        if (!fs::exists(p)) QSKIP("shared ModelNet data not available");
        QCOMPARE(readScene(p).pointCount(), std::size_t(10000));  // the default sample count

        const RefMesh mesh = parseOffReference(p);
        QVERIFY(!mesh.triangles.empty());
        Eigen::AlignedBox3d box;
        for (const auto& v : mesh.vertices) box.extend(v);
        const double tolerance = 1e-5 * box.diagonal().norm();

        ReadOptions o;
        o.meshSamples = 150;  // brute force over every triangle: keep it small
        o.seed = 11;
        const Scene s = readScene(p, o);
        QCOMPARE(s.pointCount(), std::size_t(150));
        double worst = 0;
        for (const auto& q : s.positions) worst = std::max(worst, distanceToMesh(q.cast<double>(), mesh));
        QVERIFY2(worst <= tolerance, qPrintable(QString("sample %1 away from the surface").arg(worst)));
        const float* n = s.find(attr::kNormal)->data<float>();
        for (std::size_t i = 0; i < s.pointCount(); ++i)
            QVERIFY(std::abs(Eigen::Vector3f(n[3 * i], n[3 * i + 1], n[3 * i + 2]).norm() - 1.0f) < 1e-4f);
    }

    void malformedMeshes() {
        EXPECT_IO_ERROR("empty.off", "", {"empty"});
        EXPECT_IO_ERROR("magic.off", "FOO\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n", {"line 1", "OFF"});
        EXPECT_IO_ERROR("hugev.off", "OFF\n1000000000000 1 0\n0 0 0\n", {"line 2", "1000000000000 vertices"});
        EXPECT_IO_ERROR("hugef.off", "OFF\n3 1000000000000 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n",
                        {"line 2", "1000000000000 faces"});
        EXPECT_IO_ERROR("negative.off", "OFF\n-3 1 0\n", {"line 2", "'-3'"});
        EXPECT_IO_ERROR("index.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 9\n",
                        {"line 6", "9", "out of range"});
        // Too short for its counts: caught by the size check before anything is allocated.
        EXPECT_IO_ERROR("truncated.off", "OFF\n4 2 0\n0 0 0\n1 0 0\n0 1 0\n1 1 0\n3 0 1 2\n",
                        {"line 2", "only 32 B"});
        // Long enough (a trailing comment) but the second face is missing.
        EXPECT_IO_ERROR("endsearly.off", "OFF\n4 2 0\n0 0 0\n1 0 0\n0 1 0\n1 1 0\n3 0 1 2\n# padding\n",
                        {"1 of the 2 faces"});
        EXPECT_IO_ERROR("truncv.off",
                        "OFF\n4 2 0\n0 0 0\n1 0 0\n                   \n                         \n",
                        {"2 of the 4 vertices"});
        EXPECT_IO_ERROR("short.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1\n# padding\n",
                        {"line 6", "lists 2"});
        EXPECT_IO_ERROR("twogon.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n2 0 1\n# padding\n",
                        {"line 6", "at least 3"});
        EXPECT_IO_ERROR("nan.off", "OFF\n3 1 0\n0 0 0\nnan 0 0\n0 1 0\n3 0 1 2\n", {"line 4", "not finite"});
        EXPECT_IO_ERROR("word.off", "OFF\n3 1 0\n0 0 0\n1 zero 0\n0 1 0\n3 0 1 2\n", {"line 4", "'zero'"});
        EXPECT_IO_ERROR("flat.off", "OFF\n3 1 0\n0 0 0\n1 1 1\n2 2 2\n3 0 1 2\n", {"no surface"});
        EXPECT_IO_ERROR("binary.off", "OFF BINARY\n" + std::string(64, '\0'), {"line 1", "binary OFF"});
        EXPECT_IO_ERROR("nofaces.off", "OFF\n3 0 0\n0 0 0\n1 0 0\n0 1 0\n", {"no surface"});
    }

    void zeroSamplesIsInvalid() {
        const fs::path p = write("zero.off", kTwoTriangles);
        ReadOptions o;
        o.meshSamples = 0;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, readScene(p, o));
    }
};

QTEST_GUILESS_MAIN(TestOff)
#include "tst_off.moc"
