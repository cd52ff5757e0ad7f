"""The processes B3, B4, B7 and the soak measure, and the harness around them.

- `process`: child processes and their CPU-seconds and memory from ``/proc``;
- `cluster`: CRDs, the shipped RBAC and the kopf baseline's extra ClusterRole;
- `population`: source pods and VMIs in bulk, analyzer pods, MirrorDestinations;
- `observer`: a separate watch that times when VMIs reach a configuration;
- `mirrorctl_process`: ``python -m mirrorctl run`` as a child, settled before measuring;
- `contenders`: starting B7's and B8's contenders, timing their start-up and a fan-out;
- `raw_patch`, `plain_loop`, `kopf_operator`, `kopf_indexed`: the baselines (each runs as its
  own process; `kopf_common` is what the two kopf ones share, `desired` the mirroring decisions
  all baselines take from mirrorctl's pure functions);
- `stats`: percentiles and ratios for the reports.
"""
