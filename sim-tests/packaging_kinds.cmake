# The prototype kinds of examples/kind_*.c as a user builds them: install
# the build into a scratch prefix, compile each example there with nothing
# but `pkg-config --cflags --libs vmsim` and run it (exit 0: its checks
# held); then build it as a shared object with `pkg-config --cflags vmsim`
# and give it to the installed `vmsim kinds --kind` (its matrix rows, no
# internal bug).
set(prefix ${BIN}/packaging-kinds-prefix)
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
execute_process(COMMAND pkg-config --cflags vmsim OUTPUT_VARIABLE cflags
  RESULT_VARIABLE rc2 OUTPUT_STRIP_TRAILING_WHITESPACE)
if(rc OR rc2)
  message(FATAL_ERROR "pkg-config does not know vmsim")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
separate_arguments(cflags UNIX_COMMAND "${cflags}")
separate_arguments(extra UNIX_COMMAND "${EXTRA}")
set(ENV{LD_LIBRARY_PATH} "${prefix}/lib:${prefix}/lib64")
file(GLOB examples ${SRC}/examples/kind_*.c)
if(NOT examples)
  message(FATAL_ERROR "no examples/kind_*.c")
endif()
foreach(src ${examples})
  get_filename_component(name ${src} NAME_WE)
  set(out ${BIN}/packaging-${name})
  execute_process(COMMAND ${CC} -std=c11 -Wall -Wextra -Werror ${extra} ${src} -o ${out} ${flags}
    RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "examples/${name}.c does not build through pkg-config")
  endif()
  execute_process(COMMAND ${out} RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE log)
  if(rc)
    message(FATAL_ERROR "examples/${name}.c built through pkg-config fails its checks:\n${log}")
  endif()
  execute_process(COMMAND ${CC} -std=c11 -Wall -Wextra -Werror ${extra} -shared -fPIC -DVMSIM_KIND_SO
    ${src} -o ${out}.so ${cflags} RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "examples/${name}.c does not build as a shared object")
  endif()
  execute_process(COMMAND ${prefix}/bin/vmsim kinds --no-host --kind ${out}.so
    RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE err)
  if(rc)
    message(FATAL_ERROR "the installed vmsim kinds --kind ${name}.so: exit ${rc}\n${err}")
  endif()
  message(STATUS "examples/${name}.c: built, run, and loaded by the installed vmsim")
endforeach()
