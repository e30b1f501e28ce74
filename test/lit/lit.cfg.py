# lit configuration for the bfc regression suite. lit.site.cfg.py, written by
# CMake, says where the built tools and LLVM's tools are. Every tool a RUN
# line names is substituted by its absolute path, so no test runs whatever
# happens to be on PATH (build with `cmake --build build --target check-bfc`).
import os
import sys

import lit.util
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

sys.path.insert(0, os.path.dirname(__file__))
from bfc_lit_format import ShTestTaggingRoot


config.name = "bfc"
config.test_format = ShTestTaggingRoot(execute_external=False)
config.suffixes = [".bf", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py.in"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.bfc_obj_root, "test", "lit")
config.environment["ASAN_OPTIONS"] = "detect_leaks=1"

if os.geteuid() == 0:
    config.available_features.add("root")
if config.bfc_sanitize:
    config.available_features.add("sanitize")


def built_tool(name):
    path = lit.util.which(name, config.bfc_tools_dir)
    if not path:
        lit_config.fatal(f"{name} is not built in {config.bfc_tools_dir}")
    return path


# The tools of this project, from the build tree (check-bfc builds them).
bfc_run = built_tool("bfc-run")
config.substitutions.append(("%bfc", built_tool("bfc")))
config.substitutions.append(("%examples", os.path.join(config.bfc_src_root, "examples")))
config.substitutions.append(("%scripts", os.path.join(config.bfc_src_root, "scripts")))
# lit itself, for the tests of the suite's own test format.
config.substitutions.append(("%lit", f'"{config.python_executable}" "{config.lit_path}"'))
llvm_config.add_tool_substitutions([ToolSubst("bfc-run", command=bfc_run)])
# Scripts under Inputs/ run bfc-run too: they find it here, not on PATH.
config.environment["BFC_RUN"] = bfc_run

# LLVM's tools, from the LLVM that CMake found: FileCheck, `| not`, count,
# split-file and the object-file tools. `not` is substituted only after a
# pipe (it is also a ruleset operator); where a command starts, lit runs it.
llvm_config.use_default_substitutions()
llvm_config.add_tool_substitutions(
    [
        ToolSubst(tool, unresolved="fatal")
        for tool in ["count", "split-file", "llvm-readelf", "llvm-objdump", "llvm-objcopy"]
    ],
    config.llvm_tools_dir,
)
llvm_config.add_tool_substitutions([ToolSubst("bpftool", command=config.bpftool)])
