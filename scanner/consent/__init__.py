"""Consent-aware audits: what fires before a choice, after "accept all", after "reject all" and under
Global Privacy Control.

- ``driver``: drives the vendored ``@duckduckgo/autoconsent`` (MPL-2.0, ``vendor/autoconsent``) in a hidden
  world of every frame: detects the consent manager, accepts or rejects, runs its self-test.
- ``rules``: the vendored full rule set, filtered per frame.
- ``tcf``, ``consent_mode``, ``signals``: pure readers of what a consent manager tells (IAB TC strings,
  Google Consent Mode parameters, US privacy / GPC state).
- ``cmp_state`` (read in the page) and ``cmp_record`` (kept on the visit): the consent manager's own
  state and lists; ``declaration``: those lists as the declaration (``--declared-from cmp``).
- ``passes`` and ``findings``: the extra passes of a scan, the per-vendor matrix across them and the
  consent findings.
"""
