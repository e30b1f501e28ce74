#!/usr/bin/python3
"""Reads bfload's Prometheus or OpenMetrics output with Debian's
python3-prometheus-client parser (never a regex).

  read_metrics.py FORMAT < metrics
      prints every sample: NAME LABELS-AS-JSON VALUE
  read_metrics.py FORMAT NAME [LABEL=VALUE]... < metrics
      prints the value of the one sample NAME with those labels (exit 1 when
      there is none or more than one)

FORMAT is prometheus or openmetrics (the parser used)."""
import json
import sys

if sys.argv[1] == "openmetrics":
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
else:
    from prometheus_client.parser import text_string_to_metric_families

samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    if family.type != "counter":
        sys.exit(f"{family.name}: type {family.type}, expected counter")
    samples.extend(family.samples)

if len(sys.argv) == 2:
    for s in samples:
        print(s.name, json.dumps(s.labels, sort_keys=True), int(s.value))
    sys.exit(0)

name = sys.argv[2]
wanted = dict(arg.split("=", 1) for arg in sys.argv[3:])
found = [s for s in samples
         if s.name == name and all(s.labels.get(k) == v for k, v in wanted.items())]
if len(found) != 1:
    sys.exit(f"{len(found)} samples {name} {wanted}")
print(int(found[0].value))
