# Every third-party package comes from Debian (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(ZLIB REQUIRED)                 # gzip'd CLIP merges (bpe_simple_vocab_16e6.txt.gz)
# LibTorch: Debian's (CPU only) by default; a user-given Torch_DIR (e.g. a CUDA build) wins.
find_package(Torch REQUIRED)

# Logging. The model-only build uses spdlog and fmt header-only: it is compiled against another LibTorch
# (e.g. PyTorch's) whose C++ ABI flags the shared Debian spdlog/fmt need not match.
add_library(s4_logging INTERFACE)
if(S4_MODEL_ONLY)
  # One C++ ABI for the whole program: PyTorch's LibTorch may be built with the old std::string ABI, and
  # s4core shares strings with s4model, so every target takes LibTorch's flags (Debian's are the default).
  separate_arguments(S4_TORCH_CXX_FLAGS UNIX_COMMAND "${TORCH_CXX_FLAGS}")
  add_compile_options(${S4_TORCH_CXX_FLAGS})
  get_target_property(S4_SPDLOG_INCLUDE spdlog::spdlog_header_only INTERFACE_INCLUDE_DIRECTORIES)
  target_include_directories(s4_logging INTERFACE ${S4_SPDLOG_INCLUDE})
  target_compile_definitions(s4_logging INTERFACE SPDLOG_HEADER_ONLY SPDLOG_FMT_EXTERNAL)
  target_link_libraries(s4_logging INTERFACE fmt::fmt-header-only Threads::Threads)
  return()
endif()
target_link_libraries(s4_logging INTERFACE spdlog::spdlog)
find_package(CLI11 REQUIRED)
find_package(Open3D REQUIRED)
find_package(Qt6 6.4 REQUIRED COMPONENTS Core Gui Widgets OpenGL OpenGLWidgets Concurrent Charts Test)
if(S4_BUILD_GUI)
  find_package(VTK 9.1 REQUIRED COMPONENTS CommonCore CommonDataModel CommonColor RenderingCore
    RenderingOpenGL2 RenderingFreeType RenderingAnnotation InteractionStyle FiltersCore FiltersSources)
endif()
if(S4_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
