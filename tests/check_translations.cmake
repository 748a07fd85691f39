# Translations check (run by CTest): every .ts in translations/ knows every user-visible string of
# the console (lupdate on a copy finds nothing new) and translates all of them (lrelease reports
# no unfinished or untranslated text). Fails naming the file and what is missing.
file(GLOB ts_files "${SRC}/translations/*.ts")
if(NOT ts_files)
  message(FATAL_ERROR "no .ts files in ${SRC}/translations")
endif()
set(bad "")
foreach(ts IN LISTS ts_files)
  get_filename_component(name "${ts}" NAME)
  set(copy "${WORK}/${name}")
  configure_file("${ts}" "${copy}" COPYONLY)
  execute_process(COMMAND "${LUPDATE}" -no-obsolete -locations none -I "${SRC}" "${SRC}/ui"
                          "${SRC}/app/iris-console" -ts "${copy}"
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "\\(0 new and")
    string(APPEND bad "${name}: out of date with the sources (run the iris_lupdate target):\n${out}${err}\n")
  endif()
  execute_process(COMMAND "${LRELEASE}" "${ts}" -qm "${WORK}/${name}.qm"
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT out MATCHES " 0 unfinished" OR out MATCHES "Ignored")
    string(APPEND bad "${name}: not completely translated:\n${out}${err}\n")
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "${bad}")
endif()
