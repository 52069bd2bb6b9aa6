# Every third-party package comes from Debian (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(ZLIB REQUIRED)                 # gzip'd CLIP merges (bpe_simple_vocab_16e6.txt.gz)
find_package(CLI11 REQUIRED)
find_package(Open3D REQUIRED)
# LibTorch: Debian's (CPU only) by default; a user-given Torch_DIR (e.g. a CUDA build) wins.
find_package(Torch REQUIRED)
find_package(Qt6 6.4 REQUIRED COMPONENTS Core Gui Widgets OpenGL OpenGLWidgets Concurrent Charts Test)
if(S4_BUILD_GUI)
  find_package(VTK 9.1 REQUIRED COMPONENTS CommonCore CommonDataModel CommonColor RenderingCore
    RenderingOpenGL2 RenderingFreeType RenderingAnnotation InteractionStyle FiltersCore FiltersSources)
endif()
if(S4_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
