# Warnings, linker and sanitizer settings shared by every target.
add_library(s4_options INTERFACE)
target_compile_options(s4_options INTERFACE -Wall -Wextra -Wno-unused-parameter)

# gold links torch-sized binaries ~5x faster than bfd (shared/notes/STACK.md).
include(CheckLinkerFlag)
check_linker_flag(CXX "-fuse-ld=gold" S4_HAVE_GOLD)
if(S4_HAVE_GOLD AND NOT S4_SANITIZE)
  add_link_options(-fuse-ld=gold)
endif()

if(S4_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

if(S4_CUDA)
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      # "native" fails on machines without a GPU; list the common ones instead.
      set(CMAKE_CUDA_ARCHITECTURES 75 80 86 89 90)
    endif()
    enable_language(CUDA)
    set(S4_HAVE_CUDA ON)
  else()
    message(WARNING "S4_CUDA=ON but no CUDA compiler was found: building the CPU path only")
    set(S4_HAVE_CUDA OFF)
  endif()
else()
  set(S4_HAVE_CUDA OFF)
endif()
