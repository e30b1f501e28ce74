# A suite run by root-only-tagging.test with bfc's test format; whether it has
# the feature root is the parameter root (0 or 1), not the user running it.
import os
import sys

sys.path.insert(0, lit_config.params["bfc_lit_dir"])
from bfc_lit_format import ShTestTaggingRoot

config.name = "tagging"
config.test_format = ShTestTaggingRoot(execute_external=False)
config.suffixes = [".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = lit_config.params["exec_root"]
if lit_config.params["root"] == "1":
    config.available_features.add("root")
