"""What scripts do: fingerprinting, session recording, form-data leaks, identifier sharing, hidden
trackers and embeds, judged from an attributed scan by pure functions with published criteria.

``detect(result, catalog)`` -> detections; ``behaviour_report(result, catalog)`` -> the
:class:`~scanner.model.BehaviourReport` with one finding per (kind, vendor). See each module for its
criteria: ``classify`` (fingerprinting), ``replay`` (session recording), ``leaks`` (form data and
identifiers), ``cloaking`` (CNAME-cloaked trackers), ``embeds`` (widgets and embeds), ``findings``
(severities and blind spots).
"""

from scanner.behaviour.findings import SEVERITY, behaviour_report, detect

__all__ = ["SEVERITY", "behaviour_report", "detect"]
