# The bfc suite's test format. A module of its own, not part of lit.cfg.py:
# lit sends the format to its worker processes by reference, which needs an
# importable class.
import lit.formats
import lit.Test


class ShTestTaggingRoot(lit.formats.ShTest):
    """ShTest that gives each test needing root (`REQUIRES: root`) the metric
    requires_root, so that lit's JSON report (-o) tells which root-only tests
    ran and which were skipped (scripts/root-only-summary.py)."""

    def execute(self, test, lit_config):
        result = super().execute(test, lit_config)
        features = test.config.available_features
        runs_with_root = not test.getMissingRequiredFeaturesFromList(
            features | {"root"}
        )
        runs_without_root = not test.getMissingRequiredFeaturesFromList(
            features - {"root"}
        )
        if runs_with_root and not runs_without_root:
            result.addMetric("requires_root", lit.Test.IntMetricValue(1))
        return result
