# lit configuration for the bfc regression suite.
import os
import lit.formats

config.name = "bfc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".bf", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py.in"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.bfc_obj_root, "test", "lit")

# bpftool is in /usr/sbin, which a normal user's PATH lacks on Debian.
path = os.pathsep.join([config.bfc_tools_dir, config.llvm_tools_dir,
                        config.environment.get("PATH", os.environ["PATH"]),
                        "/usr/sbin", "/sbin"])
config.environment["PATH"] = path
config.environment["ASAN_OPTIONS"] = "detect_leaks=1"

config.substitutions.append(("%bfc", os.path.join(config.bfc_tools_dir, "bfc")))
config.substitutions.append(("%examples", os.path.join(config.bfc_src_root, "examples")))

if os.geteuid() == 0:
    config.available_features.add("root")
if config.bfc_sanitize:
    config.available_features.add("sanitize")
