# Install the built library into a scratch prefix, then build and run a
# user's program with nothing but `pkg-config --cflags --libs vmsim`.
set(prefix ${BIN}/packaging-prefix)
file(REMOVE_RECURSE ${prefix})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BIN} --prefix ${prefix}
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "install failed")
endif()
file(GLOB pcdir ${prefix}/lib*/pkgconfig ${prefix}/lib/*/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "${pcdir}")
execute_process(COMMAND pkg-config --cflags --libs vmsim OUTPUT_VARIABLE flags
  RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
if(rc)
  message(FATAL_ERROR "pkg-config does not know vmsim")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
separate_arguments(extra UNIX_COMMAND "${EXTRA}")
execute_process(COMMAND ${CC} -std=c11 -Wall -Wextra -Werror ${extra} ${SRC}/examples/hello.c -o ${BIN}/packaging-hello ${flags}
  RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "a user's program does not build through pkg-config")
endif()
set(ENV{LD_LIBRARY_PATH} "${prefix}/lib:${prefix}/lib64")
execute_process(COMMAND ${BIN}/packaging-hello RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "the pkg-config-built program failed")
endif()
message(STATUS "pkg-config build of examples/hello.c works")

# The same through CMake's find_package(vmsim).
file(REMOVE_RECURSE ${BIN}/packaging-cmake)
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SRC}/sim-tests/packaging -B ${BIN}/packaging-cmake
  -DCMAKE_PREFIX_PATH=${prefix} -DHELLO=${SRC}/examples/hello.c -DCMAKE_C_COMPILER=${CC}
  "-DCMAKE_C_FLAGS=${EXTRA}" "-DCMAKE_EXE_LINKER_FLAGS=${EXTRA}"
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "find_package(vmsim) failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BIN}/packaging-cmake RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "a user's CMake project does not build")
endif()
execute_process(COMMAND ${BIN}/packaging-cmake/user RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "the find_package-built program failed")
endif()
message(STATUS "find_package(vmsim) build of examples/hello.c works")
