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
